import { describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_MS,
  KEY_REFRESH_MS,
  MAX_ACCESS_TOKEN_TTL_MS,
  SIGNING_KEY_ROTATION_MS,
  isPublished,
  isPurgeable,
  isRotationDue,
  planKeyRotation,
  type SigningKey,
} from '../src/core/oauth/signing-key.js';

const key = (kid: string, state: SigningKey['state'], extra: Partial<SigningKey> = {}): SigningKey => ({
  kid,
  alg: 'ES256',
  state,
  publicJwk: '{}',
  privateCiphertext: 'v1.x',
  createdAt: 0,
  activatedAt: state === 'active' ? 0 : null,
  retiredAt: null,
  ...extra,
});

describe('planKeyRotation', () => {
  const fresh = { active: key('fresh-active', 'next'), next: key('fresh-next', 'next') };

  it('issues the first keys: an active one and a pre-published next one', () => {
    const plan = planKeyRotation([], fresh, { alg: 'ES256', now: 1000 });
    expect(plan.changed).toEqual([]);
    expect(plan.deleted).toEqual([]);
    expect(plan.inserted).toEqual([
      expect.objectContaining({ kid: 'fresh-active', state: 'active', activatedAt: 1000 }),
      expect.objectContaining({ kid: 'fresh-next', state: 'next', activatedAt: null }),
    ]);
    expect(plan.active.kid).toBe('fresh-active');
  });

  it('retires the active key and promotes the published next key', () => {
    const plan = planKeyRotation([key('old', 'retired', { retiredAt: 5 }), key('a', 'active'), key('n', 'next')], fresh, {
      alg: 'ES256',
      now: 2000,
    });
    expect(plan.changed).toEqual([
      expect.objectContaining({ kid: 'a', state: 'retired', retiredAt: 2000 }),
      expect.objectContaining({ kid: 'n', state: 'active', activatedAt: 2000 }),
    ]);
    expect(plan.inserted).toEqual([expect.objectContaining({ kid: 'fresh-next', state: 'next' })]);
    expect(plan.deleted).toEqual([]);
    expect(plan.active.kid).toBe('n');
  });

  it('replaces a next key of another algorithm instead of activating it', () => {
    const eddsa = { active: key('ed-active', 'next', { alg: 'EdDSA' }), next: key('ed-next', 'next', { alg: 'EdDSA' }) };
    const plan = planKeyRotation([key('a', 'active'), key('n', 'next')], eddsa, { alg: 'EdDSA', now: 3000 });
    expect(plan.deleted.map((k) => k.kid)).toEqual(['n']);
    expect(plan.active).toMatchObject({ kid: 'ed-active', alg: 'EdDSA', state: 'active' });
    expect(plan.inserted.map((k) => [k.kid, k.state])).toEqual([
      ['ed-active', 'active'],
      ['ed-next', 'next'],
    ]);
  });
});

describe('key lifetimes', () => {
  it('publishes a retired key until its last token can have expired', () => {
    const retired = key('r', 'retired', { retiredAt: 10_000 });
    const until = 10_000 + 600_000 + KEY_REFRESH_MS + CLOCK_SKEW_MS;
    expect(isPublished(retired, until - 1, { tokenTtlMs: 600_000 })).toBe(true);
    expect(isPublished(retired, until, { tokenTtlMs: 600_000 })).toBe(false);
    expect(isPublished(key('n', 'next'), Number.MAX_SAFE_INTEGER, { tokenTtlMs: 1 })).toBe(true);
    expect(isPublished(key('a', 'active'), Number.MAX_SAFE_INTEGER, { tokenTtlMs: 1 })).toBe(true);
  });

  it('purges retired keys only after the longest possible token lifetime', () => {
    const retired = key('r', 'retired', { retiredAt: 0 });
    const at = MAX_ACCESS_TOKEN_TTL_MS + KEY_REFRESH_MS + CLOCK_SKEW_MS;
    expect(isPurgeable(retired, at - 1)).toBe(false);
    expect(isPurgeable(retired, at)).toBe(true);
    expect(isPurgeable(key('a', 'active'), Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('is due for rotation with no active key or one older than the rotation period', () => {
    expect(isRotationDue(undefined, 0)).toBe(true);
    expect(isRotationDue(key('a', 'active', { activatedAt: 0 }), SIGNING_KEY_ROTATION_MS - 1)).toBe(false);
    expect(isRotationDue(key('a', 'active', { activatedAt: 0 }), SIGNING_KEY_ROTATION_MS)).toBe(true);
  });
});
