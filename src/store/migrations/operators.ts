/** Operator tokens and the operator audit log (SPEC §13). Never edit once released. */
export const OPERATORS_MIGRATION = {
  version: 8,
  name: 'operators',
  sql: `
CREATE TABLE operator_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT
);
CREATE TABLE operator_events (
  id TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  account_id TEXT,
  data TEXT NOT NULL
);
CREATE INDEX operator_events_at ON operator_events(at);
`,
};
