/**
 * Schema for registration, signed URLs, sandboxes, webhooks and expiry warnings. Never edit once released.
 * Sandboxes are rows of `accounts` (kind "sandbox", parent_id); the outbox table is the foundation's.
 */
export const REGISTRATION_MIGRATION = {
  version: 6,
  name: 'registration',
  sql: `
CREATE TABLE portal_registrations (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  key_account_id TEXT NOT NULL,
  app_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  registered_at BIGINT,
  runs INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret_ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints(account_id, created_at);
CREATE INDEX accounts_parent ON accounts(parent_id);
CREATE TABLE expiry_warnings (
  version_id TEXT PRIMARY KEY,
  warned_at BIGINT NOT NULL
);
CREATE INDEX secret_versions_expiry ON secret_versions(expires_at)
`,
};
