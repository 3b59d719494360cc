import type { ApiKeyFields } from '../credentials/profiles/apikey.js';
import type { ErrorCode } from '../kernel/errors.js';

/** A key account's lockout policy (SPEC §4.5), with the seed's defaults filled in. */
export interface LockoutPolicy {
  maxFailedAttempts: number;
  /** Null: a lock lasts until an administrator unlocks or regenerates (seed 002). */
  lockSeconds: number | null;
  throttleFailuresPerMinute: number;
  lockScope: 'keyAccount' | 'source';
  staleSecretsCount: boolean;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  maxFailedAttempts: 5,
  lockSeconds: null,
  throttleFailuresPerMinute: 30,
  lockScope: 'keyAccount',
  staleSecretsCount: false,
};

/** What a store needs to count one failure: the limit and, when it trips, how long the lock lasts. */
export interface LockRule {
  maxFailedAttempts: number;
  /** `lockedUntil` to record if this failure locks; null for a lock without end. */
  lockedUntil: number | null;
  now: number;
}

/** The counter after a counted failure; `lockedAt` is set exactly when this failure locked. */
export interface LockCounter {
  failedAttempts: number;
  lockedAt: number | null;
  lockedUntil: number | null;
}

/** Per-address lock state for `lockScope: "source"`. */
export interface SourceLockout extends LockCounter {
  clientId: string;
  address: string;
  updatedAt: number;
}

export const THROTTLE_WINDOW_MS = 60_000;

export function lockoutPolicyOf(fields: ApiKeyFields): LockoutPolicy {
  return {
    maxFailedAttempts: fields.maxFailedAttempts ?? DEFAULT_LOCKOUT_POLICY.maxFailedAttempts,
    lockSeconds: fields.lockSeconds ?? DEFAULT_LOCKOUT_POLICY.lockSeconds,
    throttleFailuresPerMinute: fields.throttleFailuresPerMinute ?? DEFAULT_LOCKOUT_POLICY.throttleFailuresPerMinute,
    lockScope: fields.lockScope ?? DEFAULT_LOCKOUT_POLICY.lockScope,
    staleSecretsCount: fields.staleSecretsCount ?? DEFAULT_LOCKOUT_POLICY.staleSecretsCount,
  };
}

export function lockRuleOf(policy: LockoutPolicy, now: number): LockRule {
  return {
    maxFailedAttempts: policy.maxFailedAttempts,
    lockedUntil: policy.lockSeconds === null ? null : now + policy.lockSeconds * 1000,
    now,
  };
}

/** Whether a lock holds at `now`: set, and either without end or not yet over. */
export function isLockActive(lock: { lockedAt: number | null; lockedUntil: number | null }, now: number): boolean {
  return lock.lockedAt !== null && (lock.lockedUntil === null || lock.lockedUntil > now);
}

/** Whether the lock state is worth a reset write after a success: a non-zero counter or a lapsed lock. */
export function needsReset(lock: { failedAttempts: number; lockedAt: number | null }): boolean {
  return lock.failedAttempts > 0 || lock.lockedAt !== null;
}

/**
 * Which failures count towards the lock. Lockout defends against guessing, so a wrong secret
 * counts. A retired secret is a real former secret — usually an app nobody updated — and counts
 * only when the policy says so (seed 002's behaviour). Revoked or expired secrets and clients
 * without credentials are refused anyway and reveal nothing to a guesser, so they never lock.
 */
export function countsTowardLockout(code: ErrorCode, policy: LockoutPolicy): boolean {
  if (code === 'bad_secret' || code === 'bad_signature') return true;
  if (code === 'stale_secret') return policy.staleSecretsCount;
  return false;
}

/** The fixed one-minute window failures are throttled in, and the seconds until it passes. */
export function throttleWindowOf(now: number): { windowStart: number; windowEnd: number; retryAfterSeconds: number } {
  const windowStart = now - (now % THROTTLE_WINDOW_MS);
  const windowEnd = windowStart + THROTTLE_WINDOW_MS;
  return { windowStart, windowEnd, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
}
