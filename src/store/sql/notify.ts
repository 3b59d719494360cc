import type { EventType } from '../../core/audit/index.js';
import type { NotifyStore, OutboxMessage, OutboxStatus, WebhookEndpoint } from '../../core/notify/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, numOrNull, str, strOrNull, toVersion, VERSIONS } from './row.js';

const toOutbox = (row: Row): OutboxMessage => ({
  id: str(row.id),
  accountId: str(row.account_id),
  type: str(row.type) as OutboxMessage['type'],
  channel: str(row.channel) as OutboxMessage['channel'],
  recipient: str(row.recipient),
  payload: JSON.parse(str(row.payload)),
  status: str(row.status) as OutboxStatus,
  attempts: num(row.attempts),
  nextAttemptAt: num(row.next_attempt_at),
  leaseUntil: numOrNull(row.lease_until),
  lastError: strOrNull(row.last_error),
  createdAt: num(row.created_at),
  sentAt: numOrNull(row.sent_at),
});

const toWebhook = (row: Row): WebhookEndpoint => ({
  id: str(row.id),
  accountId: str(row.account_id),
  url: str(row.url),
  events: JSON.parse(str(row.events)) as EventType[],
  secretCiphertext: str(row.secret_ciphertext),
  createdAt: num(row.created_at),
});

/** SQL for the NotifyStore port; the same statements serve SQLite and PostgreSQL. */
export function notifySql(db: SqlDb): NotifyStore {
  return {
    async insertOutbox(message) {
      await db.run(
        'INSERT INTO outbox (id, account_id, type, channel, recipient, payload, status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          message.id,
          message.accountId,
          message.type,
          message.channel,
          message.recipient,
          JSON.stringify(message.payload),
          message.status,
          message.attempts,
          message.nextAttemptAt,
          message.leaseUntil,
          message.lastError,
          message.createdAt,
          message.sentAt,
        ],
      );
    },
    async listOutbox(accountId, filter) {
      const where = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (filter.type) {
        where.push('type = ?');
        params.push(filter.type);
      }
      if (filter.status) {
        where.push('status = ?');
        params.push(filter.status);
      }
      return (
        await db.all<Row>(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`, [
          ...params,
          filter.limit,
        ])
      ).map(toOutbox);
    },
    async leaseOutbox(now, leaseMs, limit) {
      const due =
        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, created_at, id LIMIT ?";
      // One statement either way. PostgreSQL: rows another worker holds are skipped, not waited for;
      // a row leased and committed since this statement began is re-checked before it is locked; and
      // ARRAY(…) makes the locking subquery run exactly once. SQLite: the statement holds the write lock.
      const sql =
        db.dialect === 'postgres'
          ? `UPDATE outbox SET lease_until = ? WHERE id = ANY(ARRAY(${due} FOR UPDATE SKIP LOCKED)) RETURNING *`
          : `UPDATE outbox SET lease_until = ? WHERE id IN (${due}) RETURNING *`;
      const rows = await db.all<Row>(sql, [now + leaseMs, now, now, limit]);
      return rows
        .map(toOutbox)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async settleOutbox(id, settlement) {
      await db.run(
        'UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, sent_at = ?, lease_until = NULL WHERE id = ?',
        [settlement.status, settlement.attempts, settlement.nextAttemptAt, settlement.lastError, settlement.sentAt, id],
      );
    },
    async countPendingOutbox() {
      const [row] = await db.all<Row>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
      return row ? num(row.n) : 0;
    },

    async insertWebhook(endpoint) {
      await db.run('INSERT INTO webhook_endpoints (id, account_id, url, events, secret_ciphertext, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        endpoint.id,
        endpoint.accountId,
        endpoint.url,
        JSON.stringify(endpoint.events),
        endpoint.secretCiphertext,
        endpoint.createdAt,
      ]);
    },
    async getWebhook(id) {
      const [row] = await db.all<Row>('SELECT * FROM webhook_endpoints WHERE id = ?', [id]);
      return row ? toWebhook(row) : null;
    },
    async listWebhooks(accountId) {
      return (await db.all<Row>('SELECT * FROM webhook_endpoints WHERE account_id = ? ORDER BY created_at, id', [accountId])).map(
        toWebhook,
      );
    },
    async deleteWebhook(id) {
      await db.run('DELETE FROM webhook_endpoints WHERE id = ?', [id]);
    },

    async listExpiringVersions(from, until, limit) {
      const rows = await db.all<Row>(
        `SELECT ${VERSIONS} WHERE v.expires_at > ? AND v.expires_at <= ? AND v.state IN ('current', 'previous')
         AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.version_id = v.id) ORDER BY v.expires_at, v.id LIMIT ?`,
        [from, until, limit],
      );
      return rows.map(toVersion);
    },
    async claimExpiryWarning(versionId, at) {
      return (
        (await db.run('INSERT INTO expiry_warnings (version_id, warned_at) VALUES (?, ?) ON CONFLICT (version_id) DO NOTHING', [
          versionId,
          at,
        ])) > 0
      );
    },
  };
}
