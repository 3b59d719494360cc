import type { App, AppSecret, AppsStore } from '../../core/apps/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, numOrNull, str, strOrNull } from './row.js';

const toApp = (row: Row): App => ({
  id: str(row.id),
  accountId: str(row.account_id),
  name: str(row.name),
  apiKeyId: strOrNull(row.api_key_id),
  state: str(row.state) as App['state'],
  tokenHash: strOrNull(row.token_hash),
  tokenCreatedAt: numOrNull(row.token_created_at),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

const toAppSecret = (row: Row): AppSecret => ({
  appId: str(row.app_id),
  name: str(row.name),
  keyAccountId: str(row.key_account_id),
  valueCiphertext: str(row.value_ciphertext),
  versionId: strOrNull(row.version_id),
  updatedAt: num(row.updated_at),
});

/** SQL for the AppsStore port; the same statements serve SQLite and PostgreSQL. */
export function appsSql(db: SqlDb): AppsStore {
  return {
    async insertApp(app) {
      await db.run(
        'INSERT INTO apps (id, account_id, name, api_key_id, state, token_hash, token_created_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [app.id, app.accountId, app.name, app.apiKeyId, app.state, app.tokenHash, app.tokenCreatedAt, app.createdAt, app.updatedAt],
      );
    },
    async updateApp(app) {
      await db.run(
        'UPDATE apps SET name = ?, api_key_id = ?, state = ?, token_hash = ?, token_created_at = ?, updated_at = ? WHERE id = ?',
        [app.name, app.apiKeyId, app.state, app.tokenHash, app.tokenCreatedAt, app.updatedAt, app.id],
      );
    },
    async deleteApp(id) {
      await db.run('DELETE FROM app_secrets WHERE app_id = ?', [id]);
      await db.run('DELETE FROM apps WHERE id = ?', [id]);
    },
    async getApp(id) {
      const [row] = await db.all<Row>('SELECT * FROM apps WHERE id = ?', [id]);
      return row ? toApp(row) : null;
    },
    async findAppByTokenHash(tokenHash) {
      const [row] = await db.all<Row>('SELECT * FROM apps WHERE token_hash = ?', [tokenHash]);
      return row ? toApp(row) : null;
    },
    async listApps(accountId, filter) {
      if (filter.keyAccountId === undefined) {
        return (
          await db.all<Row>('SELECT * FROM apps WHERE account_id = ? ORDER BY created_at, id LIMIT ?', [accountId, filter.limit])
        ).map(toApp);
      }
      const rows = await db.all<Row>(
        `SELECT * FROM apps WHERE account_id = ? AND (api_key_id = ? OR id IN (SELECT app_id FROM app_secrets WHERE key_account_id = ?))
         ORDER BY created_at, id LIMIT ?`,
        [accountId, filter.keyAccountId, filter.keyAccountId, filter.limit],
      );
      return rows.map(toApp);
    },
    async listAppSecrets(appId) {
      return (await db.all<Row>('SELECT * FROM app_secrets WHERE app_id = ? ORDER BY name', [appId])).map(toAppSecret);
    },
    async putAppSecret(secret) {
      await db.run(
        `INSERT INTO app_secrets (app_id, name, key_account_id, value_ciphertext, version_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_id, name) DO UPDATE SET key_account_id = excluded.key_account_id, value_ciphertext = excluded.value_ciphertext,
           version_id = excluded.version_id, updated_at = excluded.updated_at`,
        [secret.appId, secret.name, secret.keyAccountId, secret.valueCiphertext, secret.versionId, secret.updatedAt],
      );
    },
    async deleteAppSecret(appId, name) {
      return (await db.run('DELETE FROM app_secrets WHERE app_id = ? AND name = ?', [appId, name])) > 0;
    },
  };
}
