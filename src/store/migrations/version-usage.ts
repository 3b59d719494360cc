/**
 * Each secret version's use count and last use, moved out of `secret_versions` into a narrow table
 * of their own. The usage flush updates one row per version used since the last flush; in the
 * wide version table those rows lie one to a page among every version ever issued, so each update
 * rewrote a page of its own. Here only versions that were ever used have a row, about a hundred to
 * a page, and a flush in id order rewrites each page once.
 *
 * The hourly buckets lose their (client, hour) index for the same reason: each new hour's bucket
 * was an insert at a random place in it. A client's buckets are found through its versions instead
 * (the primary key starts with the version id). Numbered 13. Never edit once released.
 */
export const VERSION_USAGE_MIGRATION = {
  version: 13,
  name: 'version_usage',
  sql: `
CREATE TABLE version_usage (
  version_id TEXT PRIMARY KEY REFERENCES secret_versions(id) ON DELETE CASCADE,
  use_count BIGINT NOT NULL,
  last_used_at BIGINT
);
INSERT INTO version_usage (version_id, use_count, last_used_at)
  SELECT id, use_count, last_used_at FROM secret_versions WHERE use_count > 0 OR last_used_at IS NOT NULL;
ALTER TABLE secret_versions DROP COLUMN use_count;
ALTER TABLE secret_versions DROP COLUMN last_used_at;
DROP INDEX usage_buckets_client
`,
};
