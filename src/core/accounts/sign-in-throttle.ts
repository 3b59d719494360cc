import type { ThrottleWindow } from './accounts-store.js';

/** Sign-in throttling (SPEC §11): failures per email and per source address, in fixed windows. */
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 50;

export function signInThrottleKeys(accountId: string, email: string, address: string): { email: string; address: string } {
  return { email: `email:${accountId}:${email}`, address: `address:${address}` };
}

/** Seconds until a sign-in may be tried again, or 0 when it may be tried now. */
export function signInRetryAfterSeconds(windows: readonly ThrottleWindow[], now: number): number {
  let until = 0;
  for (const window of windows) {
    const limit = window.key.startsWith('email:') ? MAX_FAILURES_PER_EMAIL : MAX_FAILURES_PER_ADDRESS;
    const ends = window.windowStart + SIGN_IN_WINDOW_MS;
    if (ends > now && window.failures >= limit) until = Math.max(until, ends);
  }
  return until === 0 ? 0 : Math.max(1, Math.ceil((until - now) / 1000));
}
