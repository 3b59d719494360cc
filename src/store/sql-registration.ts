import type { EventType } from '../core/audit/index.js';
import type { PortalRegistration, RegistrationStore, WebhookEndpoint } from '../core/portal/index.js';
import type { SqlDb } from './sql-db.js';
import { type Row, num, numOrNull, str, toVersion, toAccount } from './sql-row.js';

const toRegistration = (row: Row): PortalRegistration => ({
  accountId: str(row.account_id),
  keyAccountId: str(row.key_account_id),
  appId: str(row.app_id),
  createdAt: num(row.created_at),
  registeredAt: numOrNull(row.registered_at),
  runs: num(row.runs),
});

const toWebhook = (row: Row): WebhookEndpoint => ({
  id: str(row.id),
  accountId: str(row.account_id),
  url: str(row.url),
  events: JSON.parse(str(row.events)) as EventType[],
  secretCiphertext: str(row.secret_ciphertext),
  createdAt: num(row.created_at),
});

/** SQL for the RegistrationStore port; the same statements serve SQLite and PostgreSQL. */
export function registrationSql(db: SqlDb): RegistrationStore {
  return {
    async lockAccount(accountId) {
      // SQLite's BEGIN IMMEDIATE already holds the database write lock.
      if (db.dialect === 'postgres') await db.all('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [accountId]);
    },
    async listSandboxes(parentId) {
      return (await db.all<Row>('SELECT * FROM accounts WHERE parent_id = ? ORDER BY created_at, id', [parentId])).map(toAccount);
    },

    async getPortalRegistration(accountId) {
      const [row] = await db.all<Row>('SELECT * FROM portal_registrations WHERE account_id = ?', [accountId]);
      return row ? toRegistration(row) : null;
    },
    async savePortalRegistration(registration) {
      await db.run(
        `INSERT INTO portal_registrations (account_id, key_account_id, app_id, created_at, registered_at, runs) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET key_account_id = excluded.key_account_id, app_id = excluded.app_id,
           registered_at = excluded.registered_at, runs = excluded.runs`,
        [registration.accountId, registration.keyAccountId, registration.appId, registration.createdAt, registration.registeredAt, registration.runs],
      );
    },

    async getVersion(id) {
      const [row] = await db.all<Row>('SELECT * FROM secret_versions WHERE id = ?', [id]);
      return row ? toVersion(row) : null;
    },

    async insertWebhook(endpoint) {
      await db.run('INSERT INTO webhook_endpoints (id, account_id, url, events, secret_ciphertext, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        endpoint.id, endpoint.accountId, endpoint.url, JSON.stringify(endpoint.events), endpoint.secretCiphertext, endpoint.createdAt,
      ]);
    },
    async getWebhook(id) {
      const [row] = await db.all<Row>('SELECT * FROM webhook_endpoints WHERE id = ?', [id]);
      return row ? toWebhook(row) : null;
    },
    async listWebhooks(accountId) {
      return (await db.all<Row>('SELECT * FROM webhook_endpoints WHERE account_id = ? ORDER BY created_at, id', [accountId])).map(toWebhook);
    },
    async deleteWebhook(id) {
      await db.run('DELETE FROM webhook_endpoints WHERE id = ?', [id]);
    },

    async settleOutbox(id, settlement) {
      await db.run('UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, sent_at = ?, lease_until = NULL WHERE id = ?', [
        settlement.status, settlement.attempts, settlement.nextAttemptAt, settlement.lastError, settlement.sentAt, id,
      ]);
    },

    async listExpiringVersions(from, until, limit) {
      const rows = await db.all<Row>(
        `SELECT * FROM secret_versions v WHERE v.expires_at > ? AND v.expires_at <= ? AND v.state IN ('current', 'previous')
         AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.version_id = v.id) ORDER BY v.expires_at, v.id LIMIT ?`,
        [from, until, limit],
      );
      return rows.map(toVersion);
    },
    async claimExpiryWarning(versionId, at) {
      return (await db.run('INSERT INTO expiry_warnings (version_id, warned_at) VALUES (?, ?) ON CONFLICT (version_id) DO NOTHING', [versionId, at])) > 0;
    },

    async purgeAccessKeys(accountId) {
      const consumers = await db.all<Row>('SELECT DISTINCT consumer_client_id FROM tba_tokens WHERE account_id = ?', [accountId]);
      const [apps] = await db.all<Row>('SELECT COUNT(*) AS n FROM apps WHERE account_id = ? AND token_hash IS NOT NULL', [accountId]);
      const secretVersions = await db.run('DELETE FROM secret_versions WHERE account_id = ?', [accountId]);
      const tokens = await db.run('DELETE FROM tba_tokens WHERE account_id = ?', [accountId]);
      const adminTokens = await db.run('DELETE FROM admin_tokens WHERE account_id = ?', [accountId]);
      const sessions = await db.run('DELETE FROM console_sessions WHERE account_id = ?', [accountId]);
      await db.run('DELETE FROM app_secrets WHERE app_id IN (SELECT id FROM apps WHERE account_id = ?)', [accountId]);
      await db.run('DELETE FROM apps WHERE account_id = ?', [accountId]);
      await db.run('DELETE FROM idempotency_keys WHERE account_id = ?', [accountId]);
      await db.run('DELETE FROM tba_installations WHERE account_id = ?', [accountId]);
      await db.run('DELETE FROM portal_registrations WHERE account_id = ?', [accountId]);
      return {
        secretVersions,
        tokens,
        adminTokens,
        appTokens: num(apps?.n ?? 0),
        sessions,
        tokenConsumerIds: consumers.map((row) => str(row.consumer_client_id)),
      };
    },
  };
}
