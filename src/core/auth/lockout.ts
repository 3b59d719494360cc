import { apikeyProfile, type ApiKeyFields } from '../credentials/profiles/apikey.js';
import type { ErrorCode } from '../kernel/errors.js';

/**
 * What a lock applies to (SPEC §4.5). `tiered`: failures lock the failing source, and only a spread
 * attack locks the key account; `keyAccount`: the seed exactly, the key account locks whoever
 * failed; `source`: only sources ever lock.
 */
export type LockScope = 'tiered' | 'keyAccount' | 'source';

/** A key account's lockout policy (SPEC §4.5), with the defaults filled in. */
export interface LockoutPolicy {
  /** Failures that lock: the source (tiered, source) or the key account (keyAccount). */
  maxFailedAttempts: number;
  /** How long a key-account-wide lock lasts. Null: until an administrator unlocks or regenerates (seed 002). */
  lockSeconds: number | null;
  throttleFailuresPerMinute: number;
  lockScope: LockScope;
  staleSecretsCount: boolean;
  /** How long a source lock lasts (tiered, source). */
  sourceLockSeconds: number;
  /** Tiered: failures within the window that lock the key account … */
  accountLockFailures: number;
  /** … when they came from at least this many distinct sources. */
  accountLockSources: number;
  lockWindowSeconds: number;
}

/** The apikey profile's defaults (its descriptor is where they are declared), as a complete policy. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = apikeyProfile.defaults as LockoutPolicy;

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

/** Per-source lock state for `lockScope` `"tiered"` and `"source"`; `address` is the source (see sourceOfAddress). */
export interface SourceLockout extends LockCounter {
  clientId: string;
  address: string;
  updatedAt: number;
}

/**
 * What a store needs to count one failure in a tiered key account's window: failures are kept
 * per (source, bucket) with buckets a fifteenth of the window wide, so the window slides in steps
 * and the rows stay few whatever the attack.
 */
export interface AccountWindowRule {
  /** The bucket this failure falls in (its start). */
  bucket: number;
  /** Buckets starting after this are in the window. */
  since: number;
  accountLockFailures: number;
  accountLockSources: number;
  /** `lockedUntil` to record if this failure locks the key account; null for a lock without end. */
  lockedUntil: number | null;
  now: number;
}

/** The window after one more failure; `locked` is set exactly when this failure locked the key account. */
export interface AccountWindowCount {
  failures: number;
  sources: number;
  locked: LockCounter | null;
}

/** Buckets per lock window: the window slides in fifteenths (a minute for the default 900 s). */
export const LOCK_WINDOW_BUCKETS = 15;

export const THROTTLE_WINDOW_MS = 60_000;

export function lockoutPolicyOf(fields: ApiKeyFields): LockoutPolicy {
  return {
    maxFailedAttempts: fields.maxFailedAttempts ?? DEFAULT_LOCKOUT_POLICY.maxFailedAttempts,
    lockSeconds: fields.lockSeconds ?? DEFAULT_LOCKOUT_POLICY.lockSeconds,
    throttleFailuresPerMinute: fields.throttleFailuresPerMinute ?? DEFAULT_LOCKOUT_POLICY.throttleFailuresPerMinute,
    lockScope: fields.lockScope ?? DEFAULT_LOCKOUT_POLICY.lockScope,
    staleSecretsCount: fields.staleSecretsCount ?? DEFAULT_LOCKOUT_POLICY.staleSecretsCount,
    sourceLockSeconds: fields.sourceLockSeconds ?? DEFAULT_LOCKOUT_POLICY.sourceLockSeconds,
    accountLockFailures: fields.accountLockFailures ?? DEFAULT_LOCKOUT_POLICY.accountLockFailures,
    accountLockSources: fields.accountLockSources ?? DEFAULT_LOCKOUT_POLICY.accountLockSources,
    lockWindowSeconds: fields.lockWindowSeconds ?? DEFAULT_LOCKOUT_POLICY.lockWindowSeconds,
  };
}

/** Whether failures lock sources (tiered, source) rather than the key account directly. */
export function locksSources(policy: LockoutPolicy): boolean {
  return policy.lockScope !== 'keyAccount';
}

/** The rule for a source's counter: the same limit, and a lock of `sourceLockSeconds`. */
export function sourceLockRuleOf(policy: LockoutPolicy, now: number): LockRule {
  return { maxFailedAttempts: policy.maxFailedAttempts, lockedUntil: now + policy.sourceLockSeconds * 1000, now };
}

/** The rule for counting one failure in a tiered key account's window. */
export function accountWindowRuleOf(policy: LockoutPolicy, now: number): AccountWindowRule {
  const windowMs = policy.lockWindowSeconds * 1000;
  const width = Math.max(1000, Math.floor(windowMs / LOCK_WINDOW_BUCKETS));
  return {
    bucket: now - (now % width),
    since: now - windowMs,
    accountLockFailures: policy.accountLockFailures,
    accountLockSources: policy.accountLockSources,
    lockedUntil: policy.lockSeconds === null ? null : now + policy.lockSeconds * 1000,
    now,
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
