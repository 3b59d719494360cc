import type { OutboxMessage } from '../core/outbox-message.js';
import type { PortalStore } from '../core/portal-store.js';
import type { SqlDb } from './sql-db.js';
import { type Row, numOrNull } from './sql-row.js';



const toOutbox = (row: Row): OutboxMessage => ({
  id: String(row.id),
  accountId: String(row.account_id),
  type: String(row.type) as OutboxMessage['type'],
  channel: String(row.channel) as OutboxMessage['channel'],
  recipient: String(row.recipient),
  payload: JSON.parse(String(row.payload)),
  status: String(row.status) as OutboxMessage['status'],
  attempts: Number(row.attempts),
  nextAttemptAt: Number(row.next_attempt_at),
  leaseUntil: numOrNull(row.lease_until),
  lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
  createdAt: Number(row.created_at),
  sentAt: numOrNull(row.sent_at),
});

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
