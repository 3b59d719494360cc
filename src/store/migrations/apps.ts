/**
 * Schema for key-account lockout, stale-secret attribution and apps. Never edit once released.
 * Lock state of the whole key account lives on `clients` (failed_attempts, locked_at, locked_until);
 * per-address locks, throttle windows and stale use have tables of their own so every node shares them.
 */
export const APPS_MIGRATION = {
  version: 3,
  name: 'apps',
  sql: `
CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  api_key_id TEXT,
  state TEXT NOT NULL,
  token_hash TEXT UNIQUE,
  token_created_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX apps_account ON apps(account_id, created_at, id);
CREATE INDEX apps_api_key ON apps(api_key_id);
CREATE TABLE app_secrets (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_account_id TEXT NOT NULL,
  value_ciphertext TEXT NOT NULL,
  version_id TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, name)
);
CREATE INDEX app_secrets_key_account ON app_secrets(key_account_id);
CREATE TABLE source_lockouts (
  client_id TEXT NOT NULL,
  address TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL,
  locked_at BIGINT,
  locked_until BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (client_id, address)
);
CREATE TABLE failure_windows (
  client_id TEXT NOT NULL,
  address TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  failures INTEGER NOT NULL,
  PRIMARY KEY (client_id, address, window_start)
);
CREATE TABLE stale_usage (
  client_id TEXT NOT NULL,
  version_id TEXT NOT NULL,
  app_id TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  address TEXT NOT NULL,
  count BIGINT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  PRIMARY KEY (client_id, version_id, app_id, user_agent, address)
);
CREATE INDEX stale_usage_recent ON stale_usage(client_id, last_seen_at)
`,
};
