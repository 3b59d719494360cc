import { describe, expect, it } from 'vitest';
import { isSlotWorking, slotHealth } from '../src/core/apps/app.js';
import {
  accountWindowRuleOf,
  countsTowardLockout,
  DEFAULT_LOCKOUT_POLICY,
  isLockActive,
  lockoutPolicyOf,
  lockRuleOf,
  locksSources,
  needsReset,
  sourceLockRuleOf,
  throttleWindowOf,
} from '../src/core/auth/lockout.js';
import type { SecretVersion } from '../src/core/credentials/secret-version.js';

// Pure rules of SPEC §4.5, as functions of (state, now): no store, no clock.
describe('lockout rules', () => {
  it("fills the defaults: the seed's, with tiered locks", () => {
    expect(lockoutPolicyOf({})).toEqual({
      maxFailedAttempts: 5,
      lockSeconds: null,
      throttleFailuresPerMinute: 30,
      lockScope: 'tiered',
      staleSecretsCount: false,
      sourceLockSeconds: 900,
      accountLockFailures: 50,
      accountLockSources: 3,
      lockWindowSeconds: 900,
    });
    expect(
      lockoutPolicyOf({
        maxFailedAttempts: 3,
        lockSeconds: 60,
        lockScope: 'source',
        staleSecretsCount: true,
        throttleFailuresPerMinute: 9,
      }),
    ).toMatchObject({ maxFailedAttempts: 3, lockSeconds: 60, throttleFailuresPerMinute: 9, lockScope: 'source', staleSecretsCount: true });
  });

  it('locks a source for sourceLockSeconds and counts the tiered window in fifteenths', () => {
    const policy = lockoutPolicyOf({ lockWindowSeconds: 900, sourceLockSeconds: 60, lockSeconds: 30 });
    expect(sourceLockRuleOf(policy, 1000)).toEqual({ maxFailedAttempts: 5, lockedUntil: 61_000, now: 1000 });
    expect(accountWindowRuleOf(policy, 125_000)).toEqual({
      bucket: 120_000,
      since: 125_000 - 900_000,
      accountLockFailures: 50,
      accountLockSources: 3,
      lockedUntil: 155_000,
      now: 125_000,
    });
    expect(accountWindowRuleOf(DEFAULT_LOCKOUT_POLICY, 5).lockedUntil).toBeNull();
    expect(locksSources(DEFAULT_LOCKOUT_POLICY)).toBe(true);
    expect(locksSources({ ...DEFAULT_LOCKOUT_POLICY, lockScope: 'source' })).toBe(true);
    expect(locksSources({ ...DEFAULT_LOCKOUT_POLICY, lockScope: 'keyAccount' })).toBe(false);
  });

  it('counts wrong secrets always, stale ones only by policy, and nothing else', () => {
    const counting = { ...DEFAULT_LOCKOUT_POLICY, staleSecretsCount: true };
    expect(countsTowardLockout('bad_secret', DEFAULT_LOCKOUT_POLICY)).toBe(true);
    expect(countsTowardLockout('stale_secret', DEFAULT_LOCKOUT_POLICY)).toBe(false);
    expect(countsTowardLockout('stale_secret', counting)).toBe(true);
    for (const code of ['revoked', 'expired', 'no_credentials', 'locked', 'rate_limited', 'malformed_credential'] as const) {
      expect(countsTowardLockout(code, counting)).toBe(false);
    }
  });

  it('locks without end by default, or until now + lockSeconds', () => {
    expect(lockRuleOf(DEFAULT_LOCKOUT_POLICY, 1000)).toEqual({ maxFailedAttempts: 5, lockedUntil: null, now: 1000 });
    expect(lockRuleOf({ ...DEFAULT_LOCKOUT_POLICY, lockSeconds: 30 }, 1000).lockedUntil).toBe(31_000);
    expect(isLockActive({ lockedAt: null, lockedUntil: null }, 5)).toBe(false);
    expect(isLockActive({ lockedAt: 1, lockedUntil: null }, 10 ** 15)).toBe(true);
    expect(isLockActive({ lockedAt: 1, lockedUntil: 10 }, 9)).toBe(true);
    expect(isLockActive({ lockedAt: 1, lockedUntil: 10 }, 10)).toBe(false);
    expect(needsReset({ failedAttempts: 0, lockedAt: null })).toBe(false);
    expect(needsReset({ failedAttempts: 2, lockedAt: null })).toBe(true);
    expect(needsReset({ failedAttempts: 0, lockedAt: 5 })).toBe(true);
  });

  it('throttles in fixed minute windows and says how long is left', () => {
    expect(throttleWindowOf(120_000)).toEqual({ windowStart: 120_000, windowEnd: 180_000, retryAfterSeconds: 60 });
    expect(throttleWindowOf(179_001)).toEqual({ windowStart: 120_000, windowEnd: 180_000, retryAfterSeconds: 1 });
    expect(throttleWindowOf(150_500).retryAfterSeconds).toBe(30);
  });
});

describe('app slot health', () => {
  const version = (id: string, state: SecretVersion['state'], extra: Partial<SecretVersion> = {}): SecretVersion => ({
    id,
    clientId: 'cli_x',
    accountId: 'a',
    state,
    secretHash: 'h',
    secretCiphertext: null,
    createdAt: 0,
    expiresAt: null,
    graceUntil: null,
    retiredAt: null,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
    ...extra,
  });
  const versions = [
    version('ver_cur', 'current'),
    version('ver_prev', 'previous', { graceUntil: 100 }),
    version('ver_old', 'retired'),
    version('ver_exp', 'current', { expiresAt: 50 }),
  ];

  it('names the state of the version a slot holds, at now', () => {
    expect(slotHealth({ versionId: 'ver_cur' }, versions, 10)).toBe('current');
    expect(slotHealth({ versionId: 'ver_prev' }, versions, 10)).toBe('previous');
    expect(slotHealth({ versionId: 'ver_prev' }, versions, 100)).toBe('retired');
    expect(slotHealth({ versionId: 'ver_old' }, versions, 10)).toBe('retired');
    expect(slotHealth({ versionId: 'ver_exp' }, versions, 60)).toBe('expired');
    expect(slotHealth({ versionId: null }, versions, 10)).toBe('unknown');
    expect(isSlotWorking({ versionId: 'ver_prev' }, versions, 99)).toBe(true);
    expect(isSlotWorking({ versionId: 'ver_prev' }, versions, 100)).toBe(false);
    expect(isSlotWorking({ versionId: 'ver_exp' }, versions, 60)).toBe(false);
  });
});
