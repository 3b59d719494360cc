import type { Profile } from '../credentials/client.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import type { CachedClient } from './credential-cache.js';
import { RekeyError, type ErrorCode } from '../kernel/errors.js';
import { judgeKeyAccountAttempt } from './key-account-attempt.js';
import { effectiveState, versionVerdict, type SecretVersion } from '../credentials/secret-version.js';
import type { UsageRecorder } from './usage-recorder.js';
import type { AuthContext } from './auth-context.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

export type { AuthContext } from './auth-context.js';

export type CredentialType = 'basic' | 'http_signature' | 'oauth1' | 'jwt';

/** What a successful authentication yields (SPEC §4). */
export interface Identity {
  credentialType: CredentialType;
  accountId: string;
  clientId: string;
  profile: Profile;
  versionId: string;
  memberId?: string;
  role?: string;
  scope?: string;
}

/** How the caller proves it holds a secret: the secret itself, or a signature only the secret can make. */
export type SecretProof = { kind: 'secret'; secret: string } | { kind: 'signature'; matches: (secret: string) => boolean };

export type AuthOutcome = { ok: true; identity: Identity; entry: CachedClient; version: SecretVersion } | { ok: false; error: RekeyError };

export interface AuthenticateOptions {
  credentialType: CredentialType;
  /** Profiles that may use this method. */
  profiles: readonly Profile[];
  now: number;
  /** Where the attempt came from. */
  context: AuthContext;
  /** When set (POST /v1/verify), clients of other accounts are treated as unknown, before any side effect. */
  accountId?: string;
}

/** Used to spend the same work on an unknown id as on a known one. */
const DUMMY_SECRET = 'rk_sec_0000000000000000000000000000000000000000000000000';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  unknown_client: 'No client with that id exists.',
  bad_secret: 'The secret does not match this client.',
  bad_signature: "The signature does not verify with this client's secret.",
  stale_secret: 'This secret was replaced by a newer version and is no longer accepted.',
  revoked: 'This secret version was revoked.',
  expired: 'This secret version has expired.',
  no_credentials: 'This client has no active secret; regenerate or register to issue one.',
};

function failure(code: ErrorCode, extra: Record<string, unknown> = {}): { ok: false; error: RekeyError } {
  return { ok: false, error: new RekeyError(code, MESSAGES[code] ?? 'Authentication failed.', extra) };
}

/**
 * Matches a proof against a client's secret versions and judges the matched version at `now`.
 * Accepting versions are tried first; retired and revoked ones are tried only to name the failure
 * precisely (`stale_secret`, `revoked`). Key accounts then pass through their lockout policy
 * (SPEC §4.5), which may refuse a right secret (`locked`) or a throttled failure (`rate_limited`).
 *
 * The hot path (SPEC §9) stays synchronous: a cached client with nothing to write answers without
 * a promise; only a cache miss or a lockout write makes the outcome asynchronous.
 */
export function authenticateClient(
  deps: Pick<CoreDeps, 'credentials' | 'keyring' | 'store' | 'clock' | 'random'>,
  usage: UsageRecorder,
  clientId: string,
  proof: SecretProof,
  options: AuthenticateOptions,
): AuthOutcome | Promise<AuthOutcome> {
  // Hashed before the lookup, so an unknown id costs the same work as a known one.
  const presentedHash = proof.kind === 'secret' ? deps.keyring.hash(proof.secret) : null;
  const cached = deps.credentials.peek(clientId);
  if (cached === undefined) {
    return deps.credentials.get(clientId, options.now).then((found) => judgeProof(deps, usage, found, proof, presentedHash, options));
  }
  return judgeProof(deps, usage, cached, proof, presentedHash, options);
}

function judgeProof(
  deps: Pick<CoreDeps, 'credentials' | 'keyring' | 'store' | 'clock' | 'random'>,
  usage: UsageRecorder,
  found: CachedClient | null,
  proof: SecretProof,
  presentedHash: string | null,
  options: AuthenticateOptions,
): AuthOutcome | Promise<AuthOutcome> {
  const { now } = options;
  const entry = found && (options.accountId === undefined || found.client.accountId === options.accountId) ? found : null;
  if (!entry) {
    if (proof.kind === 'signature') proof.matches(DUMMY_SECRET);
    return failure('unknown_client');
  }
  const { client } = entry;
  if (!options.profiles.includes(client.profile)) {
    return {
      ok: false,
      error: new RekeyError(
        'unauthenticated',
        `${/^[aeiou]/.test(client.profile) ? 'An' : 'A'} ${client.profile} client cannot authenticate this way.`,
      ),
    };
  }

  const ordered = entry.versions.length === 1 ? entry.versions : [...entry.versions].sort((a, b) => rank(a, now) - rank(b, now));
  let matched: SecretVersion | null = null;
  for (const version of ordered) {
    if (presentedHash !== null) {
      if (deps.keyring.hashesEqual(presentedHash, version.secretHash)) matched = version;
    } else if (proof.kind === 'signature') {
      const secret = deps.credentials.secretOf(entry, version);
      if (secret !== null && proof.matches(secret)) matched = version;
    }
    if (matched) break;
  }

  let verdict: 'ok' | ErrorCode;
  if (!matched) {
    const accepting = entry.versions.some((version) => versionVerdict(version, now) === 'ok');
    verdict = !accepting ? 'no_credentials' : proof.kind === 'secret' ? 'bad_secret' : 'bad_signature';
  } else {
    verdict = client.state === 'deleted' ? 'revoked' : versionVerdict(matched, now);
  }
  const versionId = matched?.id ?? null;

  if (!PROFILE_DESCRIPTORS[client.profile].locksOut || client.state !== 'active')
    return conclude(usage, entry, matched, verdict, null, options);
  const decision = judgeKeyAccountAttempt(deps, { entry, verdict, versionId, context: options.context, now });
  return decision instanceof Promise
    ? decision.then((override) => conclude(usage, entry, matched, verdict, override, options))
    : conclude(usage, entry, matched, verdict, decision, options);
}

function conclude(
  usage: UsageRecorder,
  entry: CachedClient,
  matched: SecretVersion | null,
  verdict: 'ok' | ErrorCode,
  override: RekeyError | null,
  options: AuthenticateOptions,
): AuthOutcome {
  const { client } = entry;
  if (override || verdict !== 'ok' || !matched) {
    const error = override ?? failure(verdict === 'ok' ? 'bad_secret' : verdict).error;
    if (error.code !== 'unavailable')
      usage.failure({ accountId: client.accountId, clientId: client.id, versionId: matched?.id ?? null, code: error.code }, options.now);
    return { ok: false, error };
  }
  usage.success(matched.id, options.now);
  return {
    ok: true,
    entry,
    version: matched,
    identity: {
      credentialType: options.credentialType,
      accountId: client.accountId,
      clientId: client.id,
      profile: client.profile,
      versionId: matched.id,
    },
  };
}

function rank(version: SecretVersion, now: number): number {
  const state = effectiveState(version, now);
  return state === 'current' ? 0 : state === 'previous' ? 1 : 2;
}
