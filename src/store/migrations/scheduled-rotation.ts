/**
 * Scheduled rotation (SPEC §12): a client's policy, and one row per (client, due date, kind) of
 * what the scheduler did about it. The unique key is what makes each run happen once across nodes:
 * a node acts only after its insert of that row won. Numbered 12. Never edit once released.
 */
export const SCHEDULED_ROTATION_MIGRATION = {
  version: 12,
  name: 'scheduled_rotation',
  sql: `
ALTER TABLE clients ADD COLUMN rotation_policy TEXT;
CREATE INDEX clients_rotation_policy ON clients(id) WHERE rotation_policy IS NOT NULL;
CREATE TABLE rotation_runs (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  due_at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  lease_until BIGINT,
  next_attempt_at BIGINT,
  version_id TEXT,
  plan TEXT,
  detail TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT,
  UNIQUE (client_id, due_at, kind)
);
CREATE INDEX rotation_runs_client ON rotation_runs(client_id, started_at);
CREATE INDEX rotation_runs_pending ON rotation_runs(status, next_attempt_at)
`,
};
