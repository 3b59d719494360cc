import type { PortalStore } from '../core/portal/index.js';
import type { SqlDb } from './sql-db.js';
import { type Row, toOutbox } from './sql-row.js';

/** SQL for the PortalStore port; the same statements serve SQLite and PostgreSQL. */
export function portalSql(db: SqlDb): PortalStore {
  return {
    async leaseOutbox(now, leaseMs, limit) {
      const due = "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, created_at, id LIMIT ?";
      // One statement either way. PostgreSQL: rows another worker holds are skipped, not waited for;
      // a row leased and committed since this statement began is re-checked before it is locked; and
      // ARRAY(…) makes the locking subquery run exactly once. SQLite: the statement holds the write lock.
      const sql = db.dialect === 'postgres'
        ? `UPDATE outbox SET lease_until = ? WHERE id = ANY(ARRAY(${due} FOR UPDATE SKIP LOCKED)) RETURNING *`
        : `UPDATE outbox SET lease_until = ? WHERE id IN (${due}) RETURNING *`;
      const rows = await db.all<Row>(sql, [now + leaseMs, now, now, limit]);
      return rows.map(toOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}
