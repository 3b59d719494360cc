import { describe, expect, it } from 'vitest';
import type { TbaToken } from '../../src/core/tba/tba-token.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, account, client, member, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: tba (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('stores tokens, keeps the first revocation, and tells current from retired consumer keys', async () => {
    const { store } = stores;
    const record = client(accountId, { profile: 'tba', consumerKey: id('ck') });
    await store.insertClient(record);
    const alice = member(accountId);
    await store.insertMember(alice);
    const token = (overrides: Partial<TbaToken> = {}): TbaToken => ({
      id: id('tok'),
      clientId: record.id,
      consumerClientId: record.id,
      accountId,
      memberId: alice.id,
      role: 'Administrator',
      secretHash: id('hash'),
      secretCiphertext: 'ciphertext',
      createdAt: T0,
      revokedAt: null,
      revokedReason: null,
      ...overrides,
    });
    const first = token({ createdAt: T0 });
    const second = token({ createdAt: T0 + 1 });
    await store.insertToken(second);
    await store.insertToken(first);
    expect(await store.getToken(first.id)).toEqual(first);
    expect(await store.getToken('tok_missing')).toBeNull();
    expect(await store.findTokenBySecretHash(second.secretHash)).toEqual(second);
    expect(await store.findTokenBySecretHash(id('hash'))).toBeNull();

    await store.revokeTokens([first.id], T0 + 5, 'revoked');
    await store.revokeTokens([first.id, second.id], T0 + 9, 'member_removed');
    expect(await store.getToken(first.id)).toMatchObject({ revokedAt: T0 + 5, revokedReason: 'revoked' });
    expect(await store.getToken(second.id)).toMatchObject({ revokedAt: T0 + 9, revokedReason: 'member_removed' });
    expect((await store.listTokensOfClient(record.id, { includeRevoked: true })).map((t) => t.id)).toEqual([first.id, second.id]);
    expect(await store.listTokensOfClient(record.id, { includeRevoked: false })).toEqual([]);
    expect(await store.findTokenBySecretHash(first.secretHash)).toMatchObject({ id: first.id, revokedAt: T0 + 5 });
    const third = token({ createdAt: T0 + 2 });
    await store.insertToken(third);
    expect((await store.listTokensOfConsumer(record.id)).map((t) => t.id).sort()).toEqual([first.id, second.id, third.id].sort());
    expect((await store.listActiveTokensOfMember(accountId, alice.id)).map((t) => t.id)).toEqual([third.id]);
    expect(await store.listActiveTokensOfMember('other', alice.id)).toEqual([]);

    expect(await store.findConsumerKey(record.consumerKey!)).toEqual({ clientId: record.id, retired: false });
    const replaced = id('ck');
    await store.retireConsumerKey(replaced, record.id, T0);
    await store.retireConsumerKey(replaced, 'cli_later', T0 + 1);
    expect(await store.findConsumerKey(replaced)).toEqual({ clientId: record.id, retired: true });
    expect(await store.findConsumerKey(id('ck'))).toBeNull();
  });

  it('stores bundles and their installations in other accounts', async () => {
    const { store } = stores;
    const source = client(accountId, { profile: 'tba', consumerKey: id('ck') });
    await store.insertClient(source);
    const bundle = { id: id('bdl'), clientId: source.id, accountId, createdAt: T0 };
    await store.insertBundle(bundle);
    expect(await store.getBundle(bundle.id)).toEqual(bundle);
    expect(await store.getBundle('bdl_missing')).toBeNull();
    expect(await store.listBundlesOfClient(source.id)).toEqual([bundle]);

    const installer = `installer${kind}`;
    await store.insertAccount(account(installer));
    const installed = client(installer, { profile: 'tba' });
    await store.insertClient(installed);
    const installation = {
      clientId: installed.id,
      bundleId: bundle.id,
      sourceClientId: source.id,
      accountId: installer,
      installedAt: T0 + 1,
    };
    await store.insertInstallation(installation);
    expect(await store.getInstallation(installed.id)).toEqual(installation);
    expect(await store.getInstallation(source.id)).toBeNull();
    expect(await store.findInstallation(bundle.id, installer)).toEqual(installation);
    expect(await store.findInstallation(bundle.id, accountId)).toBeNull();
    expect(await store.listInstallations(source.id)).toEqual([installation]);
  });
});
