import { audienceOf, judgeAccessToken, type AccessTokenClaims, tokenRevocationsOf, type TokenRevocations } from '../core/oauth/index.js';
import { type CoreDeps, RekeyError, type ErrorCode } from '../core/kernel/index.js';
import type { CachedClient } from '../core/auth/index.js';
import type { SecretVersion } from '../core/credentials/index.js';
import { verifyAccessToken } from './access-token-jwt.js';
import { createSigningKeyRing, type SigningKeyRing, type SigningKeyRingOptions } from './signing-key-ring.js';

/** The authorization server's per-process state, shared by /oauth/* and Bearer authentication. */
export interface OAuthRuntime {
  issuer: string;
  tokenTtlSeconds: number;
  keys: SigningKeyRing;
  revocationsOf(entry: CachedClient, now: number): Promise<TokenRevocations>;
  /** Tokens whose signature already verified, so a repeated token costs a Map lookup, not a verify. */
  verified: Map<string, AccessTokenClaims>;
}

const VERIFIED_CACHE_SIZE = 10_000;

export type OAuthRuntimeOptions = { issuer: string } & SigningKeyRingOptions;

/**
 * Built once per process by the composition root (main.ts) and handed to the HTTP app.
 * Revocations are memoised per credential-cache entry: the change log that drops a client's
 * cached credentials on every node (SPEC §9) drops its revocations with them, so a revoke on one
 * node reaches all, and a warm check reads no database.
 */
export function createOAuthRuntime(core: CoreDeps, options: OAuthRuntimeOptions): OAuthRuntime {
  const revocations = new WeakMap<CachedClient, Promise<TokenRevocations>>();
  return {
    issuer: options.issuer,
    tokenTtlSeconds: options.tokenTtlSeconds,
    keys: createSigningKeyRing(core, options),
    revocationsOf(entry, now) {
      let loading = revocations.get(entry);
      if (!loading) {
        loading = core.store.listTokenRevocations(entry.client.id, now).then(tokenRevocationsOf, () => {
          throw new RekeyError('unavailable', 'The credential store is unreachable; try again shortly.', { retryAfter: 1 });
        });
        loading.catch(() => revocations.delete(entry));
        revocations.set(entry, loading);
      }
      return loading;
    },
    verified: new Map(),
  };
}

export type InspectedToken =
  { ok: true; claims: AccessTokenClaims; entry: CachedClient; version: SecretVersion } | { ok: false; code: ErrorCode; message: string };

/**
 * Everything that decides whether an access token is good at `now`: signature, issuer, expiry,
 * then its client's current state and revocations. `owner` limits it to one client's tokens
 * (introspection, revocation); `accountId` to one account's (POST /v1/verify); `checkAudience`
 * requires the audience the client's tokens carry (a resource server's view).
 */
export async function inspectAccessToken(
  core: CoreDeps,
  runtime: OAuthRuntime,
  token: string,
  options: { now: number; owner?: string; accountId?: string; checkAudience?: boolean },
): Promise<InspectedToken> {
  const { now } = options;
  let claims = runtime.verified.get(token);
  if (claims === undefined) {
    const verified = await verifyAccessToken(runtime.keys, token, { issuer: runtime.issuer, now });
    if (!verified.ok) return verified;
    claims = verified.claims;
    if (runtime.verified.size >= VERIFIED_CACHE_SIZE) runtime.verified.delete(runtime.verified.keys().next().value!);
    runtime.verified.set(token, claims);
  } else if (claims.exp * 1000 <= now) {
    runtime.verified.delete(token);
    return { ok: false, code: 'expired', message: 'The access token has expired; request a new one.' };
  }
  if (options.owner !== undefined && claims.sub !== options.owner) {
    return { ok: false, code: 'unknown_client', message: 'The token belongs to another client.' };
  }
  const entry = await core.credentials.get(claims.sub, now);
  if (!entry || (options.accountId !== undefined && entry.client.accountId !== options.accountId)) {
    return { ok: false, code: 'unknown_client', message: 'No client of this account holds that token.' };
  }
  if (options.checkAudience === true && claims.aud !== audienceOf(entry.client, runtime.issuer)) {
    return { ok: false, code: 'malformed_credential', message: 'The access token was issued for another audience.' };
  }
  if (judgeAccessToken(claims, entry, await runtime.revocationsOf(entry, now)) !== null) {
    return { ok: false, code: 'revoked', message: 'The access token was revoked.' };
  }
  const version = entry.versions.find((candidate) => candidate.id === claims.rk_ver)!;
  return { ok: true, claims, entry, version };
}
