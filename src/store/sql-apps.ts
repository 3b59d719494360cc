import type { App, AppSecret, AppsStore } from '../core/apps/index.js';
import type { LockCounter, LockRule, SourceLockout, StaleUsage } from '../core/auth/index.js';
import type { SqlDb } from './sql-db.js';
import { type Row, num, numOrNull, str, strOrNull } from './sql-row.js';


/** NULL never conflicts in a key, so absent app ids and user agents are stored as ''. */
const blankToNull = (value: unknown): string | null => (value === null || value === undefined || value === '' ? null : String(value));

const toCounter = (row: Row): LockCounter => ({
  failedAttempts: num(row.failed_attempts),
  lockedAt: numOrNull(row.locked_at),
  lockedUntil: numOrNull(row.locked_until),
});

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

/** A lock in force or lapsed: `?` is now. Counting restarts once a timed lock has passed. */
const UNLOCKED_OR_LAPSED = (table: string): string =>
  `(${table}.locked_at IS NULL OR (${table}.locked_until IS NOT NULL AND ${table}.locked_until <= ?))`;

/** The counter after one more failure, from the row's old values (SET sees only the old row). */
const NEXT_COUNT = (table: string): string => `(CASE WHEN ${table}.locked_at IS NULL THEN ${table}.failed_attempts + 1 ELSE 1 END)`;

/** SQL for the AppsStore port; the same statements serve SQLite and PostgreSQL. */
export function appsSql(db: SqlDb): AppsStore {
  return {
    async recordFailedAttempt(clientId, rule: LockRule) {
      // One atomic conditional UPDATE: concurrent failures serialise on the row, and once one of them
      // locks, the WHERE stops the rest from counting (PostgreSQL re-checks it after the row lock).
      const rows = await db.all<Row>(
        `UPDATE clients SET
           failed_attempts = ${NEXT_COUNT('clients')},
           locked_at = CASE WHEN ${NEXT_COUNT('clients')} >= ? THEN CAST(? AS BIGINT) ELSE NULL END,
           locked_until = CASE WHEN ${NEXT_COUNT('clients')} >= ? THEN CAST(? AS BIGINT) ELSE NULL END
         WHERE id = ? AND ${UNLOCKED_OR_LAPSED('clients')}
         RETURNING failed_attempts, locked_at, locked_until`,
        [rule.maxFailedAttempts, rule.now, rule.maxFailedAttempts, rule.lockedUntil, clientId, rule.now],
      );
      return rows[0] ? toCounter(rows[0]) : null;
    },
    async resetFailedAttempts(clientId, now) {
      const changed = await db.run(
        `UPDATE clients SET failed_attempts = 0, locked_at = NULL, locked_until = NULL
         WHERE id = ? AND (failed_attempts > 0 OR locked_at IS NOT NULL) AND ${UNLOCKED_OR_LAPSED('clients')}`,
        [clientId, now],
      );
      return changed > 0;
    },
    async recordSourceFailure(clientId, address, rule: LockRule) {
      const first = 1 >= rule.maxFailedAttempts;
      const rows = await db.all<Row>(
        `INSERT INTO source_lockouts (client_id, address, failed_attempts, locked_at, locked_until, updated_at)
         VALUES (?, ?, 1, CAST(? AS BIGINT), CAST(? AS BIGINT), ?)
         ON CONFLICT (client_id, address) DO UPDATE SET
           failed_attempts = ${NEXT_COUNT('source_lockouts')},
           locked_at = CASE WHEN ${NEXT_COUNT('source_lockouts')} >= ? THEN CAST(? AS BIGINT) ELSE NULL END,
           locked_until = CASE WHEN ${NEXT_COUNT('source_lockouts')} >= ? THEN CAST(? AS BIGINT) ELSE NULL END,
           updated_at = excluded.updated_at
         WHERE ${UNLOCKED_OR_LAPSED('source_lockouts')}
         RETURNING failed_attempts, locked_at, locked_until`,
        [
          clientId, address, first ? rule.now : null, first ? rule.lockedUntil : null, rule.now,
          rule.maxFailedAttempts, rule.now, rule.maxFailedAttempts, rule.lockedUntil,
          rule.now,
        ],
      );
      return rows[0] ? toCounter(rows[0]) : null;
    },
    async resetSourceFailures(clientId, address, now) {
      const changed = await db.run(
        `DELETE FROM source_lockouts WHERE client_id = ? AND address = ? AND ${UNLOCKED_OR_LAPSED('source_lockouts')}`,
        [clientId, address, now],
      );
      return changed > 0;
    },
    async listSourceLockouts(clientId) {
      const rows = await db.all<Row>('SELECT * FROM source_lockouts WHERE client_id = ? ORDER BY address', [clientId]);
      return rows.map((row): SourceLockout => ({ clientId: str(row.client_id), address: str(row.address), updatedAt: num(row.updated_at), ...toCounter(row) }));
    },
    async clearSourceLockouts(clientId, now) {
      const [row] = await db.all<Row>(
        'SELECT COUNT(*) AS n FROM source_lockouts WHERE client_id = ? AND locked_at IS NOT NULL AND (locked_until IS NULL OR locked_until > ?)',
        [clientId, now],
      );
      await db.run('DELETE FROM source_lockouts WHERE client_id = ?', [clientId]);
      return num(row?.n ?? 0);
    },
    async countFailureInWindow(clientId, address, windowStart, limit) {
      const rows = await db.all<Row>(
        `INSERT INTO failure_windows (client_id, address, window_start, failures) VALUES (?, ?, ?, 1)
         ON CONFLICT (client_id, address, window_start) DO UPDATE SET failures = failure_windows.failures + 1
         WHERE failure_windows.failures < ?
         RETURNING failures`,
        [clientId, address, windowStart, limit],
      );
      const failures = rows[0] ? num(rows[0].failures) : null;
      // The first failure of a window sweeps that pair's earlier windows, so the table stays small.
      if (failures === 1) await db.run('DELETE FROM failure_windows WHERE client_id = ? AND address = ? AND window_start < ?', [clientId, address, windowStart]);
      return failures;
    },

    async recordStaleUse(use) {
      await db.run(
        `INSERT INTO stale_usage (client_id, version_id, app_id, user_agent, address, count, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (client_id, version_id, app_id, user_agent, address) DO UPDATE SET
           count = stale_usage.count + 1,
           last_seen_at = CASE WHEN stale_usage.last_seen_at < excluded.last_seen_at THEN excluded.last_seen_at ELSE stale_usage.last_seen_at END`,
        [use.clientId, use.versionId, use.appId ?? '', use.userAgent ?? '', use.address, use.at, use.at],
      );
    },
    async listStaleUsage(clientId, limit) {
      const rows = await db.all<Row>(
        'SELECT * FROM stale_usage WHERE client_id = ? ORDER BY last_seen_at DESC, version_id, app_id, user_agent, address LIMIT ?',
        [clientId, limit],
      );
      return rows.map((row): StaleUsage => ({
        clientId: str(row.client_id),
        versionId: str(row.version_id),
        appId: blankToNull(row.app_id),
        userAgent: blankToNull(row.user_agent),
        address: str(row.address),
        count: num(row.count),
        firstSeenAt: num(row.first_seen_at),
        lastSeenAt: num(row.last_seen_at),
      }));
    },

    async insertApp(app) {
      await db.run(
        'INSERT INTO apps (id, account_id, name, api_key_id, state, token_hash, token_created_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [app.id, app.accountId, app.name, app.apiKeyId, app.state, app.tokenHash, app.tokenCreatedAt, app.createdAt, app.updatedAt],
      );
    },
    async updateApp(app) {
      await db.run('UPDATE apps SET name = ?, api_key_id = ?, state = ?, token_hash = ?, token_created_at = ?, updated_at = ? WHERE id = ?', [
        app.name, app.apiKeyId, app.state, app.tokenHash, app.tokenCreatedAt, app.updatedAt, app.id,
      ]);
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
        return (await db.all<Row>('SELECT * FROM apps WHERE account_id = ? ORDER BY created_at, id LIMIT ?', [accountId, filter.limit])).map(toApp);
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
