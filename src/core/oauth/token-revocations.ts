import type { AccessTokenClaims } from './access-token-claims.js';
import type { Actor } from '../audit/audit-event.js';
import type { Client } from '../credentials/client.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import type { RevokedToken, VersionTokenRevocation } from './oauth-store.js';
import { recordAudit } from '../audit/record-audit.js';
import type { SecretVersion } from '../credentials/secret-version.js';
import type { Store } from '../kernel/store.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

/** A client's revoked access tokens, as each node holds them in memory. */
export interface TokenRevocations {
  /** versionId → the instant (ms) at or before which tokens issued with that version are revoked. */
  versions: ReadonlyMap<string, number>;
  jtis: ReadonlySet<string>;
}

export function tokenRevocationsOf(rows: {
  tokens: readonly RevokedToken[];
  versions: readonly VersionTokenRevocation[];
}): TokenRevocations {
  return {
    versions: new Map(rows.versions.map((row) => [row.versionId, row.revokedAt])),
    jtis: new Set(rows.tokens.map((row) => row.jti)),
  };
}

/**
 * `iat` has whole seconds, so a token issued in the same second as, but after, a version's
 * revocation is refused too: erring towards refusal is the safe side.
 */
export function isTokenRevoked(revocations: TokenRevocations, claims: Pick<AccessTokenClaims, 'jti' | 'iat' | 'rk_ver'>): boolean {
  if (revocations.jtis.has(claims.jti)) return true;
  const revokedAt = revocations.versions.get(claims.rk_ver);
  return revokedAt !== undefined && claims.iat * 1000 <= revokedAt;
}

/**
 * Revokes every access token issued so far with `versions` (regenerate with `revokeIssuedTokens`,
 * delete). Runs inside the caller's transaction, which records the change that makes every node
 * drop its cached view of the client. Resource servers that verify JWTs offline against the JWKS
 * cannot see this: for them a token lives until its `exp`.
 */
export async function revokeIssuedTokens(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  client: Client,
  versions: readonly SecretVersion[],
  options: { now: number; actor: Actor },
): Promise<void> {
  if (!PROFILE_DESCRIPTORS[client.profile].issuesAccessTokens || versions.length === 0) return;
  for (const version of versions) {
    await tx.revokeVersionTokens({ clientId: client.id, versionId: version.id, revokedAt: options.now });
  }
  await recordAudit(deps, tx, {
    accountId: client.accountId,
    type: 'oauth.tokens_revoked',
    actor: options.actor,
    clientId: client.id,
    data: { versionIds: versions.map((version) => version.id) },
  });
}

/** RFC 7009: a client revokes one of its own access tokens. Idempotent. */
export async function revokeAccessToken(
  deps: CoreDeps,
  client: Client,
  claims: Pick<AccessTokenClaims, 'jti' | 'exp' | 'rk_ver'>,
): Promise<void> {
  const now = deps.clock.now();
  const inserted = await deps.store.transaction(async (tx) => {
    const fresh = await tx.insertRevokedToken({ jti: claims.jti, clientId: client.id, expiresAt: claims.exp * 1000, revokedAt: now });
    if (!fresh) return false;
    await tx.recordChange(client.id, now);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'oauth.token_revoked',
      actor: { type: 'client', id: client.id },
      clientId: client.id,
      versionId: claims.rk_ver,
      data: { jti: claims.jti },
    });
    return true;
  });
  if (inserted) deps.credentials.invalidate(client.id);
}
