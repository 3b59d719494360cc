import { SIGN_IN_WINDOW_MS } from '../../core/accounts/index.js';
import { THROTTLE_WINDOW_MS, USAGE_BUCKET_RETENTION_MS } from '../../core/auth/index.js';
import type { ChangeNotice, KernelStore, WrappedKeyMaterial } from '../../core/kernel/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, str } from './row.js';

/** How long an address's failure counter (or lapsed lock) outlives its last update. */
export const SOURCE_LOCKOUT_RETENTION_MS = 24 * 60 * 60 * 1000;
const LOCK_WINDOW_RETENTION_MS = 24 * 60 * 60 * 1000;

/** PostgreSQL advisory lock (with the schema as second key) serialising appends to the change log. */
const CHANGE_LOG_LOCK = 7_301_262;

/** Journal rows deleted per statement by a purge; other statements run between them. */
const NONCE_LOG_PURGE_CHUNK = 5000;

/**
 * Trims the nonce journal (src/store/sqlite/nonce-journal.ts). Its rows are in claim order and
 * expire roughly in that order, so everything before the first live row goes, by id range and a
 * chunk at a time; an expired row after a live one waits for a later purge. A node that had not
 * read a deleted row yet loses nothing: the row had expired.
 */
async function purgeNonceLog(db: SqlDb, now: number): Promise<void> {
  const [bounds] = await db.all<Row>('SELECT MIN(id) AS low, MAX(id) AS high FROM nonce_log');
  if (bounds?.low === null || bounds?.low === undefined) return;
  const [firstLive] = await db.all<Row>('SELECT id FROM nonce_log WHERE expires_at > ? ORDER BY id LIMIT 1', [now]);
  const end = firstLive ? num(firstLive.id) : num(bounds.high) + 1;
  for (let from = num(bounds.low); from < end; from += NONCE_LOG_PURGE_CHUNK) {
    await db.run('DELETE FROM nonce_log WHERE id >= ? AND id < ?', [from, Math.min(from + NONCE_LOG_PURGE_CHUNK, end)]);
  }
}

/** SQL for the KernelStore port; the same statements serve SQLite and PostgreSQL. */
export function kernelSql(db: SqlDb): KernelStore {
  return {
    async getKeyMaterial() {
      const [row] = await db.all<Row>('SELECT * FROM keyring WHERE id = ?', ['main']);
      if (!row) return null;
      return {
        masterFingerprint: str(row.master_fingerprint),
        wrappedDataKey: str(row.wrapped_data_key),
        wrappedPepper: str(row.wrapped_pepper),
        wrappedSignedUrlSalt: str(row.wrapped_signed_url_salt),
      } satisfies WrappedKeyMaterial;
    },
    async saveKeyMaterial(wrapped, { replace }) {
      const values = [wrapped.masterFingerprint, wrapped.wrappedDataKey, wrapped.wrappedPepper, wrapped.wrappedSignedUrlSalt, Date.now()];
      if (replace) {
        await db.run(
          'UPDATE keyring SET master_fingerprint = ?, wrapped_data_key = ?, wrapped_pepper = ?, wrapped_signed_url_salt = ?, updated_at = ? WHERE id = ?',
          [...values, 'main'],
        );
      } else {
        await db.run(
          'INSERT INTO keyring (id, master_fingerprint, wrapped_data_key, wrapped_pepper, wrapped_signed_url_salt, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          ['main', ...values],
        );
      }
    },

    async recordChange(clientId, at) {
      if (!db.beforeCommit) {
        // SQLite writers are serialised by BEGIN IMMEDIATE, so sequence order is already commit order.
        await db.run('INSERT INTO changes (client_id, at) VALUES (?, ?)', [clientId, at]);
        return;
      }
      // PostgreSQL hands out sequence numbers before commit, so two transactions can commit out of
      // order and a follower that has read past the later one would skip the earlier. Appending as
      // the last step, under one lock held until commit, makes sequence order commit order (NOTIFY
      // already serialises committing transactions much the same way). The notice goes out at
      // commit (SPEC §9).
      await db.beforeCommit(async (tx) => {
        await tx.all('SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))', [CHANGE_LOG_LOCK]);
        await tx.all(
          "WITH appended AS (INSERT INTO changes (client_id, at) VALUES (?, ?) RETURNING client_id) SELECT pg_notify('rekey_changes', client_id) FROM appended",
          [clientId, at],
        );
      });
    },
    async changesSince(seq) {
      const rows = await db.all<Row>('SELECT seq, client_id FROM changes WHERE seq > ? ORDER BY seq', [seq]);
      return rows.map((row): ChangeNotice => ({ seq: num(row.seq), clientId: str(row.client_id) }));
    },
    async latestChange() {
      const [row] = await db.all<Row>('SELECT MAX(seq) AS seq FROM changes');
      return num(row?.seq ?? 0);
    },

    async purgeExpired(now) {
      await db.run('DELETE FROM nonces WHERE expires_at <= ?', [now]);
      await purgeNonceLog(db, now);
      await db.run('DELETE FROM idempotency_keys WHERE expires_at <= ?', [now]);
      // Throttle windows that have ended count nothing any more.
      await db.run('DELETE FROM failure_windows WHERE window_start <= ?', [now - THROTTLE_WINDOW_MS]);
      await db.run('DELETE FROM sign_in_throttle WHERE window_start <= ?', [now - SIGN_IN_WINDOW_MS]);
      // An expired session can never be used again (revoked ones stay listed until they expire).
      await db.run('DELETE FROM console_sessions WHERE expires_at <= ?', [now]);
      // Per-address counters and lapsed locks of addresses quiet for a day; a lock without end stays.
      await db.run(
        'DELETE FROM source_lockouts WHERE updated_at <= ? AND (locked_at IS NULL OR (locked_until IS NOT NULL AND locked_until <= ?))',
        [now - SOURCE_LOCKOUT_RETENTION_MS, now],
      );
      // Tiered lockout windows last at most a day (lockWindowSeconds ≤ 86 400).
      await db.run('DELETE FROM lock_window_failures WHERE bucket <= ?', [now - LOCK_WINDOW_RETENTION_MS]);
      await db.run('DELETE FROM lock_notices WHERE notified_at <= ?', [now - LOCK_WINDOW_RETENTION_MS]);
      // Hourly usage buckets older than 30 days.
      await db.run('DELETE FROM usage_buckets WHERE hour < ?', [now - USAGE_BUCKET_RETENTION_MS]);
    },

    close: () => db.close(),
  };
}
