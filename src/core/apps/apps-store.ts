import type { App, AppSecret } from './app.js';
import type { LockCounter, LockRule, SourceLockout } from '../auth/lockout.js';
import type { StaleUse, StaleUsage } from '../auth/stale-use.js';

/** Store port: key-account lockout state, apps, app secrets, app tokens and stale-secret usage. */
export interface AppsStore {
  /**
   * One atomic conditional UPDATE of the key account's counter (SPEC §4.5): counts only while the
   * key account is unlocked (or its timed lock has passed) and locks it at the limit. Null when it
   * was already locked, so nothing changed.
   */
  recordFailedAttempt(clientId: string, rule: LockRule): Promise<LockCounter | null>;
  /** Clears the counter (and a lapsed timed lock) after a success; true when something changed. */
  resetFailedAttempts(clientId: string, now: number): Promise<boolean>;
  /** The same counter per (key account, source address), for `lockScope: "source"`. */
  recordSourceFailure(clientId: string, address: string, rule: LockRule): Promise<LockCounter | null>;
  resetSourceFailures(clientId: string, address: string, now: number): Promise<boolean>;
  listSourceLockouts(clientId: string): Promise<SourceLockout[]>;
  /** Unlock and regenerate drop every per-address lock; returns how many addresses were locked. */
  clearSourceLockouts(clientId: string, now: number): Promise<number>;
  /**
   * Counts one failure for (key account, address) in the window starting at `windowStart`, unless
   * `limit` failures were already counted there: then null (throttled) and nothing changes.
   */
  countFailureInWindow(clientId: string, address: string, windowStart: number, limit: number): Promise<number | null>;

  recordStaleUse(use: StaleUse): Promise<void>;
  /** Most recent first. */
  listStaleUsage(clientId: string, limit: number): Promise<StaleUsage[]>;

  insertApp(app: App): Promise<void>;
  updateApp(app: App): Promise<void>;
  deleteApp(id: string): Promise<void>;
  getApp(id: string): Promise<App | null>;
  findAppByTokenHash(tokenHash: string): Promise<App | null>;
  /** An account's apps, oldest first; with `keyAccountId`, only those that use that key account. */
  listApps(accountId: string, filter: { keyAccountId?: string; limit: number }): Promise<App[]>;
  listAppSecrets(appId: string): Promise<AppSecret[]>;
  putAppSecret(secret: AppSecret): Promise<void>;
  deleteAppSecret(appId: string, name: string): Promise<boolean>;
}
