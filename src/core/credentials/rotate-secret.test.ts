import { describe, expect, it } from 'vitest';
import { planRotation, revokeVersion } from './rotate-secret.js';
import { effectiveState, versionVerdict, type SecretVersion } from './secret-version.js';

const T0 = 1_800_000_000_000;

function version(id: string, overrides: Partial<SecretVersion> = {}): SecretVersion {
  return {
    id,
    clientId: 'cli_x',
    accountId: 'a',
    state: 'current',
    secretHash: `h_${id}`,
    secretCiphertext: null,
    createdAt: T0 - 1000,
    expiresAt: null,
    graceUntil: null,
    retiredAt: null,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
    ...overrides,
  };
}

describe('planRotation', () => {
  it('retires the current version at once with zero grace', () => {
    const plan = planRotation([version('v1')], { graceSeconds: 0, now: T0 });
    expect(plan.changed).toEqual([expect.objectContaining({ id: 'v1', state: 'retired', retiredAt: T0 })]);
    expect(plan.oldSecretExpiresAt).toBeNull();
  });

  it('keeps the current version as previous for the grace period', () => {
    const plan = planRotation([version('v1')], { graceSeconds: 60, now: T0 });
    expect(plan.changed[0]).toMatchObject({ id: 'v1', state: 'previous', graceUntil: T0 + 60_000 });
    expect(plan.oldSecretExpiresAt).toBe(T0 + 60_000);
  });

  it("never lets a grace outlive the old version's own expiry", () => {
    const plan = planRotation([version('v1', { expiresAt: T0 + 10_000 })], { graceSeconds: 3600, now: T0 });
    expect(plan.changed[0]).toMatchObject({ state: 'previous', graceUntil: T0 + 10_000 });
  });

  it('retires an already expired current version instead of granting grace', () => {
    const plan = planRotation([version('v1', { expiresAt: T0 - 1 })], { graceSeconds: 3600, now: T0 });
    expect(plan.changed[0]).toMatchObject({ state: 'retired' });
  });

  it('retires the earlier previous version immediately on a second regenerate (at most two valid)', () => {
    const versions = [version('v1', { state: 'previous', graceUntil: T0 + 30_000 }), version('v2')];
    const plan = planRotation(versions, { graceSeconds: 60, now: T0 });
    expect(plan.changed).toEqual([
      expect.objectContaining({ id: 'v1', state: 'retired', retiredAt: T0 }),
      expect.objectContaining({ id: 'v2', state: 'previous', graceUntil: T0 + 60_000 }),
    ]);
  });

  it('leaves retired and revoked versions alone', () => {
    const plan = planRotation([version('v0', { state: 'revoked' }), version('v1', { state: 'retired' })], { graceSeconds: 0, now: T0 });
    expect(plan.changed).toEqual([]);
  });
});

describe('version verdicts', () => {
  it('a previous version is accepted until graceUntil, then stale', () => {
    const previous = version('v1', { state: 'previous', graceUntil: T0 + 1000 });
    expect(versionVerdict(previous, T0 + 999)).toBe('ok');
    expect(versionVerdict(previous, T0 + 1000)).toBe('stale_secret');
    expect(effectiveState(previous, T0 + 1000)).toBe('retired');
  });

  it('revoked beats everything; expiry applies to current versions', () => {
    expect(versionVerdict(revokeVersion(version('v1'), T0), T0)).toBe('revoked');
    expect(versionVerdict(version('v1', { expiresAt: T0 }), T0)).toBe('expired');
    expect(versionVerdict(version('v1', { expiresAt: T0 + 1 }), T0)).toBe('ok');
  });
});
