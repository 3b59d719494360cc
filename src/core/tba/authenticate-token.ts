import type { AuthContext, AuthOutcome } from '../auth/authenticate-client.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, type ErrorCode } from '../kernel/errors.js';
import { effectiveState, versionVerdict, type SecretVersion } from '../credentials/secret-version.js';
import { tbaCacheOf } from './tba-cache.js';
import type { UsageRecorder } from '../auth/usage-recorder.js';

/** Seconds an OAuth 1.0a timestamp may differ from the server clock; nonces live as long (SPEC §4.2). */
export const OAUTH1_WINDOW_SECONDS = 300;

/** A request signed with a consumer pair and a token (RFC 5849), as the protocol layer parsed it. */
export interface TokenProof {
  consumerKey: string;
  tokenId: string;
  realm: string;
  signatureMethod: 'HMAC-SHA1' | 'HMAC-SHA256';
  timestampSeconds: number;
  nonce: string;
  /** Recomputes the signature with these secrets and compares it in constant time. */
  matches(consumerSecret: string, tokenSecret: string): boolean;
}

export interface TokenAuthOptions {
  now: number;
  context: AuthContext;
  /** POST /v1/verify: tokens of other accounts are treated as unknown, before any side effect. */
  accountId?: string;
}

/** Spent on unknown consumers and tokens so they cost what known ones do. */
const DUMMY_SECRET = 'rk_sec_0000000000000000000000000000000000000000000000000';

function failure(code: ErrorCode, message: string): { ok: false; error: RekeyError } {
  return { ok: false, error: new RekeyError(code, message) };
}

function rank(version: SecretVersion, now: number): number {
  const state = effectiveState(version, now);
  return state === 'current' ? 0 : state === 'previous' ? 1 : 2;
}

/**
 * Token-based authentication (SPEC §4.2, seed 000): the consumer key names the record holding the
 * consumer pair; the token names the member, role and realm. Everything is served from memory once
 * warm; the only write is the nonce, claimed after the signature verifies.
 */
export async function authenticateToken(
  deps: CoreDeps,
  usage: UsageRecorder,
  proof: TokenProof,
  options: TokenAuthOptions,
): Promise<AuthOutcome> {
  const { now } = options;
  const cache = tbaCacheOf(deps);
  // Warm lookups answer without a promise; only a miss waits for its read.
  const keyLookup = cache.consumerKey(proof.consumerKey, now);
  const match = keyLookup instanceof Promise ? await keyLookup : keyLookup;
  const peeked = match ? deps.credentials.peek(match.clientId) : null;
  const entry = match && peeked === undefined ? await deps.credentials.get(match.clientId, now) : (peeked ?? null);
  if (!match || !entry || entry.client.profile !== 'tba') {
    proof.matches(DUMMY_SECRET, DUMMY_SECRET);
    return failure('unknown_client', 'No integration has that consumer key.');
  }
  const { client } = entry;
  const consumerLookup = cache.consumer(client.id, now);
  const consumer = consumerLookup instanceof Promise ? await consumerLookup : consumerLookup;
  const tokenLookup = cache.token(consumer, proof.tokenId);
  const found = tokenLookup instanceof Promise ? await tokenLookup : tokenLookup;
  const token = found?.token;
  // POST /v1/verify: another account's tokens are unknown, before any side effect or detail.
  if (options.accountId !== undefined && token?.accountId !== options.accountId) {
    proof.matches(DUMMY_SECRET, DUMMY_SECRET);
    return failure('unknown_client', 'No access token with that id exists for this integration.');
  }
  if (match.retired) {
    usage.failure({ accountId: client.accountId, clientId: client.id, versionId: null, code: 'stale_secret' }, now);
    return failure(
      'stale_secret',
      "This consumer key was replaced when the integration's credentials were reset; use the new consumer key and secret.",
    );
  }
  if (client.fields.tokenBasedAuth === false) {
    return failure('unauthenticated', 'Token-based authentication is turned off for this integration.');
  }
  if (proof.signatureMethod === 'HMAC-SHA1' && client.fields.allowHmacSha1 !== true) {
    return {
      ok: false,
      error: new RekeyError('invalid_request', 'This integration accepts HMAC-SHA256 signatures only.', {
        errors: [{ pointer: '/headers/authorization', message: 'oauth_signature_method must be HMAC-SHA256.' }],
      }),
    };
  }
  if (!found || !token) {
    proof.matches(DUMMY_SECRET, DUMMY_SECRET);
    usage.failure({ accountId: client.accountId, clientId: client.id, versionId: null, code: 'unknown_client' }, now);
    return failure('unknown_client', 'No access token with that id exists for this integration.');
  }
  const record = (code: ErrorCode, versionId: string | null, message: string): { ok: false; error: RekeyError } => {
    usage.failure({ accountId: token.accountId, clientId: token.clientId, versionId, code }, now);
    return failure(code, message);
  };

  const skew = Math.floor(now / 1000) - proof.timestampSeconds;
  if (Math.abs(skew) > OAUTH1_WINDOW_SECONDS) {
    return record(
      'timestamp_out_of_window',
      null,
      `The oauth_timestamp is ${skew} s from the server's clock; the window is ±${OAUTH1_WINDOW_SECONDS} s.`,
    );
  }

  const tokenSecret = cache.tokenSecretOf(consumer, token);
  let matched: SecretVersion | null = null;
  const ordered = entry.versions.length === 1 ? entry.versions : [...entry.versions].sort((a, b) => rank(a, now) - rank(b, now));
  for (const version of ordered) {
    const consumerSecret = deps.credentials.secretOf(entry, version);
    if (consumerSecret !== null && proof.matches(consumerSecret, tokenSecret)) {
      matched = version;
      break;
    }
  }
  if (!matched) {
    const accepting = entry.versions.some((version) => versionVerdict(version, now) === 'ok');
    return accepting
      ? record('bad_signature', null, 'The signature does not verify with this consumer and token.')
      : record('no_credentials', null, 'This integration has no active consumer secret.');
  }
  if (client.state === 'deleted') return record('revoked', matched.id, 'This integration was deleted.');
  const verdict = versionVerdict(matched, now);
  if (verdict === 'stale_secret')
    return record(
      verdict,
      matched.id,
      "This consumer secret was replaced when the integration's credentials were reset; use the new consumer key and secret.",
    );
  if (verdict !== 'ok')
    return record(verdict, matched.id, verdict === 'revoked' ? 'This consumer secret was revoked.' : 'This consumer secret has expired.');
  if (token.revokedAt !== null) return record('revoked', matched.id, 'This access token was revoked.');
  if (token.clientId !== client.id) {
    const { installed } = found;
    if (!installed || !installed.client || installed.client.state !== 'active')
      return record('revoked', matched.id, 'The bundle installation this token belongs to was removed.');
  }
  // The realm is not signed (RFC 5849 §3.4.1.3.1), so it is checked only once the signature is good.
  if (proof.realm !== token.accountId) {
    return record('unauthenticated', matched.id, 'The realm does not match the account this token belongs to; send realm="<account id>".');
  }
  const fresh = await deps.store.claimNonce(
    `oauth1:${client.id}:${token.id}`,
    proof.nonce,
    (proof.timestampSeconds + OAUTH1_WINDOW_SECONDS) * 1000 + 1000,
    now,
  );
  if (!fresh)
    return record(
      'replayed_nonce',
      matched.id,
      'This nonce was already used with this consumer and token; sign every request with a fresh nonce.',
    );

  usage.success(matched.id, now);
  return {
    ok: true,
    entry,
    version: matched,
    identity: {
      credentialType: 'oauth1',
      accountId: token.accountId,
      clientId: token.clientId,
      profile: 'tba',
      versionId: matched.id,
      memberId: token.memberId,
      role: token.role,
    },
  };
}
