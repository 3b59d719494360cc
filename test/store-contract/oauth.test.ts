import { describe, expect, it } from 'vitest';
import type { SigningKey } from '../../src/core/oauth/signing-key.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: oauth (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('stores signing keys in creation order, updates and deletes them', async () => {
    const { store } = stores;
    const key = (overrides: Partial<SigningKey> = {}): SigningKey => ({
      kid: id('kid'),
      alg: 'ES256',
      state: 'next',
      publicJwk: '{"kty":"EC"}',
      privateCiphertext: 'ciphertext',
      createdAt: T0,
      activatedAt: null,
      retiredAt: null,
      ...overrides,
    });
    const active = key({ state: 'active', createdAt: T0, activatedAt: T0 });
    const next = key({ state: 'next', createdAt: T0 + 1 });
    await store.insertSigningKey(next);
    await store.insertSigningKey(active);
    expect(await store.listSigningKeys()).toEqual([active, next]);

    const retired = { ...active, state: 'retired' as const, retiredAt: T0 + 5 };
    await store.updateSigningKey(retired);
    await store.deleteSigningKey(next.kid);
    const later = key({ createdAt: T0 + 6 });
    await store.transaction(async (tx) => {
      await tx.lockSigningKeys();
      await tx.insertSigningKey(later);
    });
    expect(await store.listSigningKeys()).toEqual([retired, later]);
  });

  it('records a revoked token once, moves a version revocation only later, and purges expired tokens', async () => {
    const { store } = stores;
    const clientId = id('cli');
    const lasting = { jti: id('jti'), clientId, expiresAt: T0 + 100, revokedAt: T0 };
    const brief = { jti: id('jti'), clientId, expiresAt: T0 + 10, revokedAt: T0 };
    expect(await store.insertRevokedToken(lasting)).toBe(true);
    expect(await store.insertRevokedToken({ ...lasting, revokedAt: T0 + 1 })).toBe(false);
    expect(await store.insertRevokedToken(brief)).toBe(true);

    const versionId = id('ver');
    await store.revokeVersionTokens({ clientId, versionId, revokedAt: T0 + 50 });
    await store.revokeVersionTokens({ clientId, versionId, revokedAt: T0 + 20 });
    expect((await store.listTokenRevocations(clientId, T0)).versions).toEqual([{ clientId, versionId, revokedAt: T0 + 50 }]);
    await store.revokeVersionTokens({ clientId, versionId, revokedAt: T0 + 60 });

    const now = await store.listTokenRevocations(clientId, T0);
    expect(now.tokens.map((t) => t.jti).sort()).toEqual([lasting.jti, brief.jti].sort());
    expect(now.tokens.find((t) => t.jti === lasting.jti)).toEqual(lasting);
    expect(now.versions).toEqual([{ clientId, versionId, revokedAt: T0 + 60 }]);
    expect((await store.listTokenRevocations(clientId, T0 + 10)).tokens).toEqual([lasting]);
    expect(await store.listTokenRevocations(id('cli'), T0)).toEqual({ tokens: [], versions: [] });

    expect(await store.purgeRevokedTokens(T0 + 10)).toBe(1);
    expect((await store.listTokenRevocations(clientId, T0)).tokens).toEqual([lasting]);
  });
});
