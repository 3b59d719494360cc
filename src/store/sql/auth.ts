import type {
  AccountWindowRule,
  AuthStore,
  LockRule,
  LockCounter,
  SourceLockout,
  StaleUsage,
  UsageBucket,
  UsageUpdate,
} from '../../core/auth/index.js';
import type { SqlDb } from '../sql-db.js';
import { sqliteNonceJournal } from '../sqlite/nonce-journal.js';
import { batchedNonceClaims, claimNonceNow } from './nonce-claims.js';
import { type Row, num, numOrNull, str } from './row.js';

export interface AuthSqlOptions {
  /** Claim the nonces of one event-loop turn with one statement (a store outside any transaction). */
  batchNonces?: boolean;
}

/** NULL never conflicts in a key, so absent app ids and user agents are stored as ''. */
const blankToNull = (value: unknown): string | null => (value === null || value === undefined || value === '' ? null : String(value));

const toCounter = (row: Row): LockCounter => ({
  failedAttempts: num(row.failed_attempts),
  lockedAt: numOrNull(row.locked_at),
  lockedUntil: numOrNull(row.locked_until),
});

/** A lock in force or lapsed: `?` is now. Counting restarts once a timed lock has passed. */
const UNLOCKED_OR_LAPSED = (table: string): string =>
  `(${table}.locked_at IS NULL OR (${table}.locked_until IS NOT NULL AND ${table}.locked_until <= ?))`;

/** The counter after one more failure, from the row's old values (SET sees only the old row). */
const NEXT_COUNT = (table: string): string => `(CASE WHEN ${table}.locked_at IS NULL THEN ${table}.failed_attempts + 1 ELSE 1 END)`;

async function countLockedSources(db: SqlDb, clientId: string, now: number): Promise<number> {
  const [row] = await db.all<Row>(
    'SELECT COUNT(*) AS n FROM source_lockouts WHERE client_id = ? AND locked_at IS NOT NULL AND (locked_until IS NULL OR locked_until > ?)',
    [clientId, now],
  );
  return num(row?.n ?? 0);
}

/** `rows` tuples of (version id, BIGINT, BIGINT), named column1…column3 by both databases. */
const valuesOf = (rows: number): string => Array.from({ length: rows }, () => '(?, CAST(? AS BIGINT), CAST(? AS BIGINT))').join(', ');

/**
 * Use counts and last use, added to each version's `version_usage` row. Rows come from the
 * versions themselves (the join), so a version deleted since its uses adds none. (`WHERE true`:
 * SQLite needs a WHERE between a SELECT and ON CONFLICT.)
 */
const usageSql = (rows: number): string =>
  `INSERT INTO version_usage (version_id, use_count, last_used_at)
   SELECT v.id, d.column2, d.column3 FROM (VALUES ${valuesOf(rows)}) AS d JOIN secret_versions v ON v.id = d.column1 WHERE true
   ON CONFLICT (version_id) DO UPDATE SET use_count = version_usage.use_count + excluded.use_count,
     last_used_at = CASE WHEN version_usage.last_used_at IS NULL OR version_usage.last_used_at < excluded.last_used_at
       THEN excluded.last_used_at ELSE version_usage.last_used_at END`;

/** Verifications per (version, hour), the bucket taking its client and account from the version. */
const bucketSql = (rows: number): string =>
  `INSERT INTO usage_buckets (version_id, hour, client_id, account_id, count)
   SELECT v.id, d.column2, v.client_id, v.account_id, d.column3 FROM (VALUES ${valuesOf(rows)}) AS d JOIN secret_versions v ON v.id = d.column1 WHERE true
   ON CONFLICT (version_id, hour) DO UPDATE SET count = usage_buckets.count + excluded.count`;

/** SQL for the AuthStore port; the same statements serve SQLite and PostgreSQL. */
export function authSql(db: SqlDb, options: AuthSqlOptions = {}): AuthStore {
  return {
    // SQLite: the journal, for every store over the file (claims must all see one another);
    // PostgreSQL: the `nonces` table, a turn's claims in one statement where batching is asked for.
    claimNonce:
      db.dialect === 'sqlite'
        ? sqliteNonceJournal(db)
        : options.batchNonces
          ? batchedNonceClaims(db)
          : (scope, nonce, expiresAt, now) => claimNonceNow(db, scope, nonce, expiresAt, now),
    async applyUsage(updates: readonly UsageUpdate[]) {
      if (updates.length === 0) return;
      // One statement per table for the whole batch. A version's entries (one per hour) add up to one
      // usage row, and each (version, hour) to one bucket: a statement may touch a row only once.
      const perVersion = new Map<string, { count: number; lastUsedAt: number }>();
      const perBucket = new Map<string, UsageUpdate>();
      for (const update of updates) {
        const usage = perVersion.get(update.versionId);
        if (usage === undefined) perVersion.set(update.versionId, { count: update.count, lastUsedAt: update.lastUsedAt });
        else {
          usage.count += update.count;
          usage.lastUsedAt = Math.max(usage.lastUsedAt, update.lastUsedAt);
        }
        const key = `${update.versionId}|${update.hour}`;
        const bucket = perBucket.get(key);
        if (bucket === undefined) perBucket.set(key, { ...update });
        else bucket.count += update.count;
      }
      const usageParams: unknown[] = [];
      for (const [versionId, usage] of perVersion) usageParams.push(versionId, usage.count, usage.lastUsedAt);
      const bucketParams: unknown[] = [];
      for (const bucket of perBucket.values()) bucketParams.push(bucket.versionId, bucket.hour, bucket.count);
      await db.transaction(async (tx) => {
        await tx.run(usageSql(perVersion.size), usageParams);
        await tx.run(bucketSql(perBucket.size), bucketParams);
      });
    },
    async listUsageBuckets(clientId, sinceHour) {
      const rows = await db.all<Row>(
        `SELECT b.version_id, b.hour, b.count FROM secret_versions v JOIN usage_buckets b ON b.version_id = v.id
         WHERE v.client_id = ? AND b.hour >= ? ORDER BY b.hour, b.version_id`,
        [clientId, sinceHour],
      );
      return rows.map((row): UsageBucket => ({ versionId: str(row.version_id), hour: num(row.hour), count: num(row.count) }));
    },

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
          clientId,
          address,
          first ? rule.now : null,
          first ? rule.lockedUntil : null,
          rule.now,
          rule.maxFailedAttempts,
          rule.now,
          rule.maxFailedAttempts,
          rule.lockedUntil,
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
      return rows.map((row): SourceLockout => ({
        clientId: str(row.client_id),
        address: str(row.address),
        updatedAt: num(row.updated_at),
        ...toCounter(row),
      }));
    },
    countLockedSources: (clientId, now) => countLockedSources(db, clientId, now),
    async recordAccountWindowFailure(clientId, source, rule: AccountWindowRule) {
      await db.run(
        `INSERT INTO lock_window_failures (client_id, bucket, source, failures) VALUES (?, ?, ?, 1)
         ON CONFLICT (client_id, bucket, source) DO UPDATE SET failures = lock_window_failures.failures + 1`,
        [clientId, rule.bucket, source],
      );
      await db.run('DELETE FROM lock_window_failures WHERE client_id = ? AND bucket <= ?', [clientId, rule.since]);
      const [row] = await db.all<Row>(
        'SELECT COALESCE(SUM(failures), 0) AS failures, COUNT(DISTINCT source) AS sources FROM lock_window_failures WHERE client_id = ?',
        [clientId],
      );
      const failures = num(row?.failures ?? 0);
      const sources = num(row?.sources ?? 0);
      if (failures < rule.accountLockFailures || sources < rule.accountLockSources) return { failures, sources, locked: null };
      const locked = await db.all<Row>(
        `UPDATE clients SET failed_attempts = ?, locked_at = CAST(? AS BIGINT), locked_until = CAST(? AS BIGINT)
         WHERE id = ? AND ${UNLOCKED_OR_LAPSED('clients')}
         RETURNING failed_attempts, locked_at, locked_until`,
        [failures, rule.now, rule.lockedUntil, clientId, rule.now],
      );
      return { failures, sources, locked: locked[0] ? toCounter(locked[0]) : null };
    },
    async claimLockNotice(clientId, now, since) {
      const rows = await db.all<Row>(
        `INSERT INTO lock_notices (client_id, notified_at) VALUES (?, ?)
         ON CONFLICT (client_id) DO UPDATE SET notified_at = excluded.notified_at WHERE lock_notices.notified_at <= ?
         RETURNING notified_at`,
        [clientId, now, since],
      );
      return rows.length > 0;
    },
    async clearSourceLockouts(clientId, now) {
      const locked = await countLockedSources(db, clientId, now);
      await db.run('DELETE FROM source_lockouts WHERE client_id = ?', [clientId]);
      await db.run('DELETE FROM lock_window_failures WHERE client_id = ?', [clientId]);
      await db.run('DELETE FROM lock_notices WHERE client_id = ?', [clientId]);
      return locked;
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
      if (failures === 1)
        await db.run('DELETE FROM failure_windows WHERE client_id = ? AND address = ? AND window_start < ?', [
          clientId,
          address,
          windowStart,
        ]);
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
  };
}
