/**
 * The nonce journal (src/store/sqlite/nonce-journal.ts): claimed nonces appended in claim order, so
 * a turn's claims land together on the last page. SQLite's claims use it; PostgreSQL's keep the
 * `nonces` table, whose unique key decides between nodes that write at once, and leave this one
 * empty. Ids are never reused (a reader asks for the rows after the last id it saw). Numbered 14.
 * Never edit once released.
 */
export const NONCE_LOG_MIGRATION = {
  version: 14,
  name: 'nonce_log',
  sql: `
CREATE TABLE nonce_log (
  id {serial},
  scope TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at BIGINT NOT NULL
)
`,
};
