/**
 * Verifications per secret version per hour, written by the usage recorder's flush beside the
 * versions' counters; rows older than 30 days are purged. Never edit once released.
 */
export const USAGE_BUCKETS_MIGRATION = {
  version: 7,
  name: 'usage_buckets',
  sql: `
CREATE TABLE usage_buckets (
  version_id TEXT NOT NULL,
  hour BIGINT NOT NULL,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (version_id, hour)
);
CREATE INDEX usage_buckets_client ON usage_buckets(client_id, hour);
CREATE INDEX usage_buckets_hour ON usage_buckets(hour)
`,
};
