import type { SigningKey } from './signing-key.js';

/** One access token its client revoked (RFC 7009), kept until the token would have expired anyway. */
export interface RevokedToken {
  jti: string;
  clientId: string;
  expiresAt: number;
  revokedAt: number;
}

/** Every token issued with `versionId` at or before `revokedAt` is revoked (regenerate with revokeIssuedTokens, delete). */
export interface VersionTokenRevocation {
  clientId: string;
  versionId: string;
  revokedAt: number;
}

/** Store port: OAuth 2.0: token signing keys and revoked access tokens. Issued tokens are never stored. */
export interface OAuthStore {
  listSigningKeys(): Promise<SigningKey[]>;
  /** Serialises key rotations across nodes until the transaction ends. */
  lockSigningKeys(): Promise<void>;
  insertSigningKey(key: SigningKey): Promise<void>;
  updateSigningKey(key: SigningKey): Promise<void>;
  deleteSigningKey(kid: string): Promise<void>;

  /** False when the token was already revoked. */
  insertRevokedToken(token: RevokedToken): Promise<boolean>;
  /** Records (or moves later) a version's revocation instant. */
  revokeVersionTokens(revocation: VersionTokenRevocation): Promise<void>;
  /** What a node needs in memory to judge a client's tokens: unexpired revoked tokens and revoked versions. */
  listTokenRevocations(clientId: string, now: number): Promise<{ tokens: RevokedToken[]; versions: VersionTokenRevocation[] }>;
  /** Drops revoked-token rows whose tokens have expired. */
  purgeRevokedTokens(now: number): Promise<number>;
}
