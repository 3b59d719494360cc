import { fieldsOf, type Client } from '../credentials/client.js';
import type { SecretVersion } from '../credentials/secret-version.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import { isTokenRevoked, type TokenRevocations } from './token-revocations.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

export type { AccessTokenClaims } from './access-token-claims.js';

/** RFC 9068 media type of JWT access tokens, in the `typ` header: keeps other JWTs from passing as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export type ScopeGrant = { ok: true; scope: string } | { ok: false; message: string };

/**
 * The scope granted for a request (RFC 6749 §3.3): every requested scope must be in the client's
 * `allowedScopes`; without a `scope` parameter the client gets all of them (the pre-defined default).
 */
export function grantScope(requested: string | undefined, allowed: readonly string[]): ScopeGrant {
  if (requested === undefined || requested.trim() === '') return { ok: true, scope: allowed.join(' ') };
  const wanted = [...new Set(requested.split(' ').filter((part) => part !== ''))];
  const malformed = wanted.find((item) => !SCOPE_TOKEN.test(item));
  if (malformed !== undefined || /[^ \x21-\x7E]/.test(requested))
    return { ok: false, message: 'The scope parameter holds characters RFC 6749 §3.3 does not allow.' };
  const refused = wanted.filter((item) => !allowed.includes(item));
  if (refused.length > 0) {
    return {
      ok: false,
      message: `This client may not request ${refused.length === 1 ? 'the scope' : 'the scopes'} ${refused.map((item) => `"${item}"`).join(', ')}.`,
    };
  }
  return { ok: true, scope: wanted.join(' ') };
}

/** The audience a client's tokens carry: its `audience` setting, by default the issuer itself. */
export function audienceOf(client: Pick<Client, 'profile' | 'fields'>, issuer: string): string {
  return fieldsOf(client, 'oauth')?.audience ?? issuer;
}

export function accessTokenClaims(input: {
  issuer: string;
  client: Pick<Client, 'id' | 'profile' | 'fields'>;
  versionId: string;
  scope: string;
  jti: string;
  now: number;
  ttlSeconds: number;
}): AccessTokenClaims {
  const iat = Math.floor(input.now / 1000);
  return {
    iss: input.issuer,
    sub: input.client.id,
    aud: audienceOf(input.client, input.issuer),
    client_id: input.client.id,
    scope: input.scope,
    jti: input.jti,
    iat,
    exp: iat + input.ttlSeconds,
    rk_ver: input.versionId,
  };
}

/** Reads verified JWT claims as ours, or null when any pinned claim is missing or mistyped. */
export function parseAccessTokenClaims(payload: Record<string, unknown>): AccessTokenClaims | null {
  const { iss, sub, aud, client_id: clientId, scope, jti, iat, exp, rk_ver: versionId } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof aud !== 'string' || typeof scope !== 'string') return null;
  if (typeof jti !== 'string' || typeof versionId !== 'string' || clientId !== sub) return null;
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isInteger(iat) || !Number.isInteger(exp)) return null;
  return { iss, sub, aud, client_id: sub, scope, jti, iat, exp, rk_ver: versionId };
}

/**
 * Judges a token whose signature, issuer and expiry were verified, against its client's current
 * state: null when it is active, otherwise why not. A token dies with its client (delete), with its
 * secret version when that is revoked, with a revokeIssuedTokens regenerate, or by RFC 7009.
 * A version that is merely rotated out does not take its tokens along: they live until `exp`.
 */
export function judgeAccessToken(
  claims: AccessTokenClaims,
  entry: { client: Client; versions: readonly SecretVersion[] },
  revocations: TokenRevocations,
): 'revoked' | null {
  if (entry.client.state === 'deleted' || !PROFILE_DESCRIPTORS[entry.client.profile].issuesAccessTokens) return 'revoked';
  const version = entry.versions.find((candidate) => candidate.id === claims.rk_ver);
  if (!version || version.state === 'revoked') return 'revoked';
  return isTokenRevoked(revocations, claims) ? 'revoked' : null;
}
