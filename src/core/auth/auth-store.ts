import type { AccountWindowCount, AccountWindowRule, LockCounter, LockRule, SourceLockout } from './lockout.js';
import type { StaleUse, StaleUsage } from './stale-use.js';
import type { UsageBucket } from './usage-bucket.js';

/** Uses of one version within one hour (`hour` is the hour's start). */
export interface UsageUpdate {
  versionId: string;
  hour: number;
  count: number;
  lastUsedAt: number;
}

/**
 * Store port: what authentication writes back: spent nonces, use counts, the key-account lockout
 * counters (per key account and per source address), failure windows and stale-secret usage.
 */
export interface AuthStore {
  /** Records a nonce; false when it was already seen and has not expired. */
  claimNonce(scope: string, nonce: string, expiresAt: number, now: number): Promise<boolean>;
  /**
   * Adds the counts to each version's use count and last use, and to its hourly bucket, in one
   * transaction. Several updates may name the same (version, hour); their counts add up.
   */
  applyUsage(updates: readonly UsageUpdate[]): Promise<void>;
  /** The client's hourly buckets from the hour starting at `sinceHour` on, by hour then version. */
  listUsageBuckets(clientId: string, sinceHour: number): Promise<UsageBucket[]>;

  /**
   * One atomic conditional UPDATE of the key account's counter (SPEC §4.5): counts only while the
   * key account is unlocked (or its timed lock has passed) and locks it at the limit. Null when it
   * was already locked, so nothing changed.
   */
  recordFailedAttempt(clientId: string, rule: LockRule): Promise<LockCounter | null>;
  /** Clears the counter (and a lapsed timed lock) after a success; true when something changed. */
  resetFailedAttempts(clientId: string, now: number): Promise<boolean>;
  /** The same counter per (key account, source), for `lockScope` `"tiered"` and `"source"`. */
  recordSourceFailure(clientId: string, address: string, rule: LockRule): Promise<LockCounter | null>;
  resetSourceFailures(clientId: string, address: string, now: number): Promise<boolean>;
  listSourceLockouts(clientId: string): Promise<SourceLockout[]>;
  /** How many sources of the key account are locked at `now`. */
  countLockedSources(clientId: string, now: number): Promise<number>;
  /**
   * Tiered: counts one failure from `source` in the key account's window, drops buckets that left
   * it, and — when the window holds `accountLockFailures` failures from `accountLockSources`
   * distinct sources and the key account is unlocked (or its timed lock has passed) — locks the key
   * account with one conditional UPDATE, so of concurrent failures exactly one locks.
   */
  recordAccountWindowFailure(clientId: string, source: string, rule: AccountWindowRule): Promise<AccountWindowCount>;
  /**
   * Claims the key account's one lock notice of the window: true (and `now` recorded) when none was
   * sent after `since`; false when one was, so the caller sends none.
   */
  claimLockNotice(clientId: string, now: number, since: number): Promise<boolean>;
  /**
   * Unlock and regenerate drop every per-source lock and counter, the tiered window and the notice claim; returns
   * how many sources were locked.
   */
  clearSourceLockouts(clientId: string, now: number): Promise<number>;
  /**
   * Counts one failure for (key account, address) in the window starting at `windowStart`, unless
   * `limit` failures were already counted there: then null (throttled) and nothing changes.
   */
  countFailureInWindow(clientId: string, address: string, windowStart: number, limit: number): Promise<number | null>;

  recordStaleUse(use: StaleUse): Promise<void>;
  /** Most recent first. */
  listStaleUsage(clientId: string, limit: number): Promise<StaleUsage[]>;
}
