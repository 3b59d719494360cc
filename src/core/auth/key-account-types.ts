import type { AuthContext } from './auth-context.js';
import type { CachedClient } from './credential-cache.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import type { ErrorCode, RekeyError } from '../kernel/errors.js';
import type { LockCounter } from './lockout.js';

/** One key-account attempt whose secret was already judged (key-account-attempt.ts). */
export interface KeyAccountAttempt {
  entry: CachedClient;
  /** `ok`, or the failure the presented secret earned on its own (bad_secret, stale_secret, …). */
  verdict: 'ok' | ErrorCode;
  /** The version the secret matched, if any. */
  versionId: string | null;
  context: AuthContext;
  now: number;
}

/** Null: the secret's own verdict stands. Otherwise the error that replaces it (locked, rate_limited, …). */
export type KeyAccountDecision = RekeyError | null;

export type KeyAccountDeps = Pick<CoreDeps, 'store' | 'clock' | 'random' | 'credentials' | 'keyring'>;

/** What one counted failure locked: the source, the whole key account, both or neither. */
export interface LockOutcome {
  source: LockCounter | null;
  keyAccount: LockCounter | null;
  /** The failures (and sources) counted in the tiered window when the key account locked. */
  window?: { failures: number; sources: number };
}
