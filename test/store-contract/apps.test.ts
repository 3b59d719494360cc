import { describe, expect, it } from 'vitest';
import type { App, AppSecret } from '../../src/core/apps/app.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, account, client, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: apps (%s)', (kind) => {
  const stores = useContractStores(kind);
  const app = (accountId: string, overrides: Partial<App> = {}): App => ({
    id: id('app'),
    accountId,
    name: 'web',
    apiKeyId: null,
    state: 'deployed',
    tokenHash: null,
    tokenCreatedAt: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  });
  const slot = (owner: App, keyAccountId: string, overrides: Partial<AppSecret> = {}): AppSecret => ({
    appId: owner.id,
    name: 'API_KEY',
    keyAccountId,
    valueCiphertext: 'ciphertext',
    versionId: null,
    updatedAt: T0,
    ...overrides,
  });

  it('stores apps, finds one by its token hash, and lists those that use a key account', async () => {
    const { store } = stores;
    const appsAccount = `apps${kind}`;
    await store.insertAccount(account(appsAccount));
    const keyAccount = client(appsAccount);
    const other = client(appsAccount);
    await store.insertClient(keyAccount);
    await store.insertClient(other);
    const byConfig = app(appsAccount, { apiKeyId: keyAccount.id, createdAt: T0 });
    const bySlot = app(appsAccount, { createdAt: T0 + 1, tokenHash: id('hash'), tokenCreatedAt: T0 + 1 });
    const unrelated = app(appsAccount, { createdAt: T0 + 2, apiKeyId: other.id });
    for (const item of [unrelated, bySlot, byConfig]) await store.insertApp(item);
    await store.putAppSecret(slot(bySlot, keyAccount.id));

    expect(await store.getApp(byConfig.id)).toEqual(byConfig);
    expect(await store.getApp('app_missing')).toBeNull();
    expect(await store.findAppByTokenHash(bySlot.tokenHash!)).toEqual(bySlot);
    expect(await store.findAppByTokenHash(id('hash'))).toBeNull();
    expect((await store.listApps(appsAccount, { limit: 10 })).map((a) => a.id)).toEqual([byConfig.id, bySlot.id, unrelated.id]);
    expect((await store.listApps(appsAccount, { limit: 2 })).map((a) => a.id)).toEqual([byConfig.id, bySlot.id]);
    expect((await store.listApps(appsAccount, { keyAccountId: keyAccount.id, limit: 10 })).map((a) => a.id)).toEqual([
      byConfig.id,
      bySlot.id,
    ]);

    const changed = {
      ...byConfig,
      name: 'api',
      state: 'undeployed' as const,
      tokenHash: id('hash'),
      tokenCreatedAt: T0 + 5,
      updatedAt: T0 + 5,
    };
    await store.updateApp(changed);
    expect(await store.getApp(byConfig.id)).toEqual(changed);
  });

  it('replaces a slot by name, deletes a slot, and deletes an app with its slots', async () => {
    const { store } = stores;
    const slotsAccount = `slots${kind}`;
    await store.insertAccount(account(slotsAccount));
    const keyAccount = client(slotsAccount);
    await store.insertClient(keyAccount);
    const owner = app(slotsAccount);
    await store.insertApp(owner);
    await store.putAppSecret(slot(owner, keyAccount.id, { name: 'B' }));
    await store.putAppSecret(slot(owner, keyAccount.id, { name: 'A', valueCiphertext: 'old' }));
    const replaced = slot(owner, keyAccount.id, { name: 'A', valueCiphertext: 'new', versionId: 'ver_x', updatedAt: T0 + 3 });
    await store.putAppSecret(replaced);
    expect((await store.listAppSecrets(owner.id)).map((s) => s.name)).toEqual(['A', 'B']);
    expect((await store.listAppSecrets(owner.id))[0]).toEqual(replaced);

    expect(await store.deleteAppSecret(owner.id, 'B')).toBe(true);
    expect(await store.deleteAppSecret(owner.id, 'B')).toBe(false);
    await store.deleteApp(owner.id);
    expect(await store.getApp(owner.id)).toBeNull();
    expect(await store.listAppSecrets(owner.id)).toEqual([]);
  });
});
