/**
 * The audit hash chain (SPEC §12): each event's position and hash in its account's chain, and one
 * head row per account that serialises appends and remembers what was last published. Rows written
 * before this migration are chained in (at, id) order by the runtime on start (the migration has no
 * key). Never edit once released.
 */
export const AUDIT_CHAIN_MIGRATION = {
  version: 10,
  name: 'audit_chain',
  sql: `
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_chain ON audit_events(account_id, seq);
CREATE INDEX audit_events_unchained ON audit_events(at) WHERE seq IS NULL;
CREATE TABLE audit_heads (
  account_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  checkpoint_seq BIGINT NOT NULL DEFAULT 0,
  checkpoint_at BIGINT NOT NULL DEFAULT 0
)
`,
};
