/**
 * Tiered lockout (SPEC §4.5): failures per (key account, window bucket, source), so a key account
 * locks only when failures come from several sources within the window;
 * and when each key account was last notified of a lock, so notices go out at most once a window. Never edit once released.
 */
export const LOCK_WINDOWS_MIGRATION = {
  version: 9,
  name: 'lock_windows',
  sql: `
CREATE TABLE lock_window_failures (
  client_id TEXT NOT NULL,
  bucket BIGINT NOT NULL,
  source TEXT NOT NULL,
  failures INTEGER NOT NULL,
  PRIMARY KEY (client_id, bucket, source)
);
CREATE INDEX lock_window_failures_bucket ON lock_window_failures(bucket);
CREATE TABLE lock_notices (
  client_id TEXT PRIMARY KEY,
  notified_at BIGINT NOT NULL
)
`,
};
