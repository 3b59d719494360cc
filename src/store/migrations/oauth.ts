/** Schema for the oauth feature: signing keys and revoked access tokens. Never edit once released. */
export const OAUTH_MIGRATION = {
  version: 4,
  name: 'oauth',
  sql: `
CREATE TABLE oauth_signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  state TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  activated_at BIGINT,
  retired_at BIGINT
);
CREATE UNIQUE INDEX oauth_signing_keys_one_active ON oauth_signing_keys(state) WHERE state = 'active';
CREATE UNIQUE INDEX oauth_signing_keys_one_next ON oauth_signing_keys(state) WHERE state = 'next';
CREATE TABLE oauth_revoked_tokens (
  jti TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL
);
CREATE INDEX oauth_revoked_tokens_client ON oauth_revoked_tokens(client_id, expires_at);
CREATE INDEX oauth_revoked_tokens_expiry ON oauth_revoked_tokens(expires_at);
CREATE TABLE oauth_version_revocations (
  version_id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  revoked_at BIGINT NOT NULL
);
CREATE INDEX oauth_version_revocations_client ON oauth_version_revocations(client_id)
`,
};
