import type { AuditEvent, AuditFilter, AuditSeal, AuditStore, ChainedAuditEvent, FailureAggregate } from '../../core/audit/index.js';
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

const toChained = (row: Row): ChainedAuditEvent => ({ ...toAuditEvent(row), seq: num(row.seq), hash: str(row.hash) });

/**
 * Locks an account's chain head (creating it at position 0) for the rest of the transaction, so
 * appends from every connection and node take consecutive positions.
 */
async function lockHead(tx: SqlDb, accountId: string): Promise<{ seq: number; hash: string }> {
  await tx.run("INSERT INTO audit_heads (account_id, seq, hash) VALUES (?, 0, '') ON CONFLICT (account_id) DO NOTHING", [accountId]);
  const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const [head] = await tx.all<Row>(`SELECT seq, hash FROM audit_heads WHERE account_id = ?${lock}`, [accountId]);
  return { seq: num(head!.seq), hash: str(head!.hash) };
}

/** SQL for the AuditStore port; the same statements serve SQLite and PostgreSQL. */
export function auditSql(db: SqlDb): AuditStore {
  const append = async (tx: SqlDb, event: AuditEvent, seal: AuditSeal): Promise<void> => {
    const head = await lockHead(tx, event.accountId);
    const seq = head.seq + 1;
    const hash = seal(head.hash, event, seq);
    await tx.run(
      'INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, actor_member_id, client_id, version_id, code, count, data, seq, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
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
        seq,
        hash,
      ],
    );
    await tx.run('UPDATE audit_heads SET seq = ?, hash = ? WHERE account_id = ?', [seq, hash, event.accountId]);
  };
  return {
    async insertAuditEvent(event, seal) {
      // PostgreSQL links the event as the transaction's last step, so the head stays locked only
      // for the commit; SQLite transactions already run one at a time.
      const work = (tx: SqlDb): Promise<void> => append(tx, event, seal);
      if (db.beforeCommit) await db.beforeCommit(work);
      else await db.transaction(work);
      countRecordedEvent(event.type);
    },
    async chainPendingAuditEvents(before, seal) {
      const accounts = await db.all<Row>('SELECT DISTINCT account_id FROM audit_events WHERE seq IS NULL AND at < ?', [before]);
      let chained = 0;
      for (const { account_id: accountId } of accounts) {
        chained += await db.transaction(async (tx) => {
          let head = await lockHead(tx, str(accountId));
          const rows = await tx.all<Row>('SELECT * FROM audit_events WHERE account_id = ? AND seq IS NULL AND at < ? ORDER BY at, id', [
            accountId,
            before,
          ]);
          for (const row of rows) {
            const seq = head.seq + 1;
            const hash = seal(head.hash, toAuditEvent(row), seq);
            await tx.run('UPDATE audit_events SET seq = ?, hash = ? WHERE id = ?', [seq, hash, row.id]);
            head = { seq, hash };
          }
          if (rows.length > 0)
            await tx.run('UPDATE audit_heads SET seq = ?, hash = ? WHERE account_id = ?', [head.seq, head.hash, accountId]);
          return rows.length;
        });
      }
      return chained;
    },
    async listChainedAuditEvents(accountId, afterSeq, limit) {
      const rows = await db.all<Row>('SELECT * FROM audit_events WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?', [
        accountId,
        afterSeq,
        limit,
      ]);
      return rows.map(toChained);
    },
    async listUnchainedAuditEvents(accountId, limit) {
      const rows = await db.all<Row>('SELECT * FROM audit_events WHERE account_id = ? AND seq IS NULL ORDER BY at, id LIMIT ?', [
        accountId,
        limit,
      ]);
      return rows.map(toAuditEvent);
    },
    async countUnchainedAuditEvents(accountId) {
      const [row] = await db.all<Row>('SELECT COUNT(*) AS n FROM audit_events WHERE account_id = ? AND seq IS NULL', [accountId]);
      return num(row!.n);
    },
    async getAuditHead(accountId) {
      const [row] = await db.all<Row>('SELECT * FROM audit_heads WHERE account_id = ?', [accountId]);
      if (!row) return null;
      return { seq: num(row.seq), hash: str(row.hash), checkpointSeq: num(row.checkpoint_seq), checkpointAt: num(row.checkpoint_at) };
    },
    async listAuditHeadsToCheckpoint(publishedBefore, limit) {
      const rows = await db.all<Row>(
        'SELECT * FROM audit_heads WHERE seq > checkpoint_seq AND checkpoint_at <= ? ORDER BY checkpoint_at, account_id LIMIT ?',
        [publishedBefore, limit],
      );
      return rows.map((row) => ({
        accountId: str(row.account_id),
        seq: num(row.seq),
        hash: str(row.hash),
        checkpointSeq: num(row.checkpoint_seq),
        checkpointAt: num(row.checkpoint_at),
      }));
    },
    async markAuditCheckpoint(accountId, seq, at, publishedBefore) {
      const changed = await db.run(
        'UPDATE audit_heads SET checkpoint_seq = ?, checkpoint_at = ? WHERE account_id = ? AND checkpoint_seq < ? AND checkpoint_at <= ?',
        [seq, at, accountId, seq, publishedBefore],
      );
      return changed === 1;
    },
    async addFailureAggregates(aggregates: readonly FailureAggregate[], newId) {
      if (aggregates.length === 0) return;
      await db.transaction(async (tx) => {
        for (const item of aggregates) {
          const key = `${item.clientId}|${item.versionId ?? ''}|${item.code}|${item.minute}`;
          await tx.run(
            "INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, client_id, version_id, code, count, aggregate_key, data) VALUES (?, ?, ?, 'auth.failed', 'client', ?, ?, ?, ?, ?, ?, '{}') ON CONFLICT (aggregate_key) DO UPDATE SET count = audit_events.count + excluded.count WHERE audit_events.seq IS NULL",
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
        "INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, code, count, aggregate_key, data) VALUES (?, ?, ?, 'signin.failed', 'system', ?, 'unauthenticated', 1, ?, ?) ON CONFLICT (aggregate_key) DO UPDATE SET count = audit_events.count + 1 WHERE audit_events.seq IS NULL",
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
