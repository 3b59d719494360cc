/** Schema for the tba feature: tokens, retired consumer keys, bundles, console sessions, sign-in throttles. Never edit once released. */
export const TBA_MIGRATION = {
  version: 2,
  name: 'tba',
  sql: `
CREATE TABLE tba_tokens (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  consumer_client_id TEXT NOT NULL REFERENCES clients(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  member_id TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  secret_ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_reason TEXT
);
CREATE INDEX tba_tokens_client ON tba_tokens(client_id, created_at);
CREATE INDEX tba_tokens_consumer ON tba_tokens(consumer_client_id);
CREATE INDEX tba_tokens_member ON tba_tokens(account_id, member_id);
CREATE TABLE tba_retired_consumer_keys (
  consumer_key TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  retired_at BIGINT NOT NULL
);
CREATE TABLE tba_bundles (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX tba_bundles_client ON tba_bundles(client_id);
CREATE TABLE tba_installations (
  client_id TEXT PRIMARY KEY REFERENCES clients(id),
  bundle_id TEXT NOT NULL REFERENCES tba_bundles(id),
  source_client_id TEXT NOT NULL REFERENCES clients(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  installed_at BIGINT NOT NULL,
  UNIQUE (bundle_id, account_id)
);
CREATE INDEX tba_installations_source ON tba_installations(source_client_id);
CREATE TABLE console_sessions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  member_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_reason TEXT,
  address TEXT NOT NULL,
  user_agent TEXT
);
CREATE INDEX console_sessions_member ON console_sessions(account_id, member_id);
CREATE TABLE sign_in_throttle (
  throttle_key TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  failures INTEGER NOT NULL
)
`,
};
