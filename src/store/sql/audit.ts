import type { AuditEvent, AuditFilter, AuditStore, FailureAggregate } from '../../core/audit/index.js';
import type { Page } from '../../core/kernel/index.js';
import type { SqlDb } from '../sql-db.js';
import { countRecordedEvent } from '../recorded-events.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type Row, num, str, strOrNull } from './row.js';

const toAuditEvent = (row: Row): AuditEvent => ({
  id: str(row.id),
  accountId: str(row.account_id),
  at: num(row.at),
  type: str(row.type) as AuditEvent['type'],
  actor: {
    type: str(row.actor_type) as AuditEvent['actor']['type'],
    id: str(row.actor_id),
    ...(row.actor_member_id ? { memberId: str(row.actor_member_id) } : {}),
  },
  clientId: strOrNull(row.client_id),
  versionId: strOrNull(row.version_id),
  code: strOrNull(row.code),
  count: num(row.count),
  data: JSON.parse(str(row.data)),
});

/** SQL for the AuditStore port; the same statements serve SQLite and PostgreSQL. */
export function auditSql(db: SqlDb): AuditStore {
  return {
    async insertAuditEvent(event) {
      await db.run(
        'INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, actor_member_id, client_id, version_id, code, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          event.id,
          event.accountId,
          event.at,
          event.type,
          event.actor.type,
          event.actor.id,
          event.actor.memberId ?? null,
          event.clientId,
          event.versionId,
          event.code,
          event.count,
          JSON.stringify(event.data),
        ],
      );
      countRecordedEvent(event.type);
    },
    async addFailureAggregates(aggregates: readonly FailureAggregate[], newId) {
      if (aggregates.length === 0) return;
      await db.transaction(async (tx) => {
        for (const item of aggregates) {
          const key = `${item.clientId}|${item.versionId ?? ''}|${item.code}|${item.minute}`;
          await tx.run(
            "INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, client_id, version_id, code, count, aggregate_key, data) VALUES (?, ?, ?, 'auth.failed', 'client', ?, ?, ?, ?, ?, ?, '{}') ON CONFLICT (aggregate_key) DO UPDATE SET count = audit_events.count + excluded.count",
            [newId(), item.accountId, item.minute, item.clientId, item.clientId, item.versionId, item.code, item.count, key],
          );
        }
      });
    },
    async addSignInFailure(failure, newId) {
      const key = `signin|${failure.accountId}|${failure.memberId ?? ''}|${failure.purpose}|${failure.minute}`;
      const data = JSON.stringify(
        failure.memberId === null ? { purpose: failure.purpose } : { purpose: failure.purpose, memberId: failure.memberId },
      );
      await db.run(
        "INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, code, count, aggregate_key, data) VALUES (?, ?, ?, 'signin.failed', 'system', ?, 'unauthenticated', 1, ?, ?) ON CONFLICT (aggregate_key) DO UPDATE SET count = audit_events.count + 1",
        [newId(), failure.accountId, failure.minute, failure.purpose, key, data],
      );
    },
    async listAuditEvents(accountId, filter: AuditFilter) {
      const where = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (filter.type) {
        where.push('type = ?');
        params.push(filter.type);
      }
      if (filter.clientId) {
        where.push('client_id = ?');
        params.push(filter.clientId);
      }
      if (filter.since !== undefined) {
        where.push('at >= ?');
        params.push(filter.since);
      }
      if (filter.until !== undefined) {
        where.push('at < ?');
        params.push(filter.until);
      }
      const before = decodeCursor(filter.cursor);
      if (before) {
        where.push('(at < ? OR (at = ? AND id < ?))');
        params.push(before[0], before[0], before[1]);
      }
      const rows = await db.all<Row>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`, [
        ...params,
        filter.limit + 1,
      ]);
      const items = rows.slice(0, filter.limit).map(toAuditEvent);
      const last = items[items.length - 1];
      const page: Page<AuditEvent> = { items };
      if (rows.length > filter.limit && last) page.nextCursor = encodeCursor([last.at, last.id]);
      return page;
    },
  };
}
