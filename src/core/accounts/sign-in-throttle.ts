import type { ThrottleWindow } from './accounts-store.js';

/**
 * Sign-in throttling (SPEC §11), in fixed windows: per (email, source address) first, so that
 * whoever knows an email locks out only their own address; per email only at a far higher bar
 * (a spray from many addresses); and per address across emails.
 */
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL_AND_ADDRESS = 5;
export const MAX_FAILURES_PER_EMAIL = 100;
export const MAX_FAILURES_PER_ADDRESS = 50;

export interface SignInThrottleKeys {
  emailAndAddress: string;
  email: string;
  address: string;
}

export function signInThrottleKeys(accountId: string, email: string, address: string): SignInThrottleKeys {
  return {
    emailAndAddress: `email-address:${accountId}:${email}:${address}`,
    email: `email:${accountId}:${email}`,
    address: `address:${address}`,
  };
}

function limitOf(key: string): number {
  if (key.startsWith('email-address:')) return MAX_FAILURES_PER_EMAIL_AND_ADDRESS;
  if (key.startsWith('email:')) return MAX_FAILURES_PER_EMAIL;
  return MAX_FAILURES_PER_ADDRESS;
}

/** Seconds until a sign-in may be tried again, or 0 when it may be tried now. */
export function signInRetryAfterSeconds(windows: readonly ThrottleWindow[], now: number): number {
  let until = 0;
  for (const window of windows) {
    const ends = window.windowStart + SIGN_IN_WINDOW_MS;
    if (ends > now && window.failures >= limitOf(window.key)) until = Math.max(until, ends);
  }
  return until === 0 ? 0 : Math.max(1, Math.ceil((until - now) / 1000));
}
