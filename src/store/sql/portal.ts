import type { PortalRegistration, PortalStore } from '../../core/portal/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, numOrNull, str, toAccount } from './row.js';

const toRegistration = (row: Row): PortalRegistration => ({
  accountId: str(row.account_id),
  keyAccountId: str(row.key_account_id),
  appId: str(row.app_id),
  createdAt: num(row.created_at),
  registeredAt: numOrNull(row.registered_at),
  runs: num(row.runs),
});

/** SQL for the PortalStore port; the same statements serve SQLite and PostgreSQL. */
export function portalSql(db: SqlDb): PortalStore {
  return {
    async getPortalRegistration(accountId) {
      const [row] = await db.all<Row>('SELECT * FROM portal_registrations WHERE account_id = ?', [accountId]);
      return row ? toRegistration(row) : null;
    },
    async savePortalRegistration(registration) {
      await db.run(
        `INSERT INTO portal_registrations (account_id, key_account_id, app_id, created_at, registered_at, runs) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET key_account_id = excluded.key_account_id, app_id = excluded.app_id,
           registered_at = excluded.registered_at, runs = excluded.runs`,
        [
          registration.accountId,
          registration.keyAccountId,
          registration.appId,
          registration.createdAt,
          registration.registeredAt,
          registration.runs,
        ],
      );
    },

    async listSandboxes(parentId) {
      return (await db.all<Row>('SELECT * FROM accounts WHERE parent_id = ? ORDER BY created_at, id', [parentId])).map(toAccount);
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
