import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Account } from '../../src/core/accounts/account.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, account, client, member, version, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: portal (%s)', (kind) => {
  const stores = useContractStores(kind);
  const sandbox = (parentId: string, createdAt: number): Account => ({
    ...account(`${parentId}_SB${createdAt - T0}`),
    kind: 'sandbox',
    parentId,
    createdAt,
  });

  it('saves a portal registration and replaces it', async () => {
    const { store } = stores;
    const portalAccount = `portal${kind}`;
    await store.insertAccount(account(portalAccount));
    expect(await store.getPortalRegistration(portalAccount)).toBeNull();
    const registration = {
      accountId: portalAccount,
      keyAccountId: id('cli'),
      appId: id('app'),
      createdAt: T0,
      registeredAt: null,
      runs: 0,
    };
    await store.savePortalRegistration(registration);
    expect(await store.getPortalRegistration(portalAccount)).toEqual(registration);
    const rerun = { ...registration, keyAccountId: id('cli'), appId: id('app'), registeredAt: T0 + 5, runs: 1 };
    await store.savePortalRegistration(rerun);
    expect(await store.getPortalRegistration(portalAccount)).toEqual(rerun);
  });

  it("lists an account's sandboxes, oldest first", async () => {
    const { store } = stores;
    const parent = `parent${kind}`;
    await store.insertAccount(account(parent));
    const second = sandbox(parent, T0 + 2);
    const first = sandbox(parent, T0 + 1);
    await store.insertAccount(second);
    await store.insertAccount(first);
    expect(await store.listSandboxes(parent)).toEqual([first, second]);
    expect(await store.listSandboxes(first.id)).toEqual([]);
  });

  it('purges every access key of an account, says what went, and leaves clients, members and other accounts alone', async () => {
    const { store } = stores;
    const target = sandbox(accountId, T0 + 7);
    await store.insertAccount(target);
    const keyAccount = client(target.id);
    await store.insertClient(keyAccount);
    await store.insertVersion(version(keyAccount, { state: 'previous' }));
    await store.insertVersion(version(keyAccount));
    const alice = member(target.id);
    await store.insertMember(alice);
    // A tba record of the parent account signs the sandbox's token; an installation in the sandbox goes too.
    const consumer = client(accountId, { profile: 'tba', consumerKey: id('ck') });
    await store.insertClient(consumer);
    const installed = client(target.id, { profile: 'tba' });
    await store.insertClient(installed);
    const bundle = { id: id('bdl'), clientId: consumer.id, accountId, createdAt: T0 };
    await store.insertBundle(bundle);
    await store.insertInstallation({
      clientId: installed.id,
      bundleId: bundle.id,
      sourceClientId: consumer.id,
      accountId: target.id,
      installedAt: T0,
    });
    const token = {
      id: id('tok'),
      clientId: installed.id,
      consumerClientId: consumer.id,
      accountId: target.id,
      memberId: alice.id,
      role: 'Administrator',
      secretHash: id('hash'),
      secretCiphertext: 'ciphertext',
      createdAt: T0,
      revokedAt: null,
      revokedReason: null,
    };
    await store.insertToken(token);
    const adminToken = {
      id: id('adm'),
      accountId: target.id,
      memberId: alice.id,
      name: 'ci',
      tokenHash: randomBytes(32).toString('base64url'),
      permissions: [],
      createdAt: T0,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await store.insertAdminToken(adminToken);
    const session = {
      id: id('ses'),
      accountId: target.id,
      memberId: alice.id,
      tokenHash: id('tok'),
      csrfHash: 'c',
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 1000,
      revokedAt: null,
      revokedReason: null,
      address: '10.0.0.1',
      userAgent: null,
    };
    await store.insertSession(session);
    const app = {
      id: id('app'),
      accountId: target.id,
      name: 'web',
      apiKeyId: keyAccount.id,
      state: 'deployed' as const,
      tokenHash: id('hash'),
      tokenCreatedAt: T0,
      createdAt: T0,
      updatedAt: T0,
    };
    await store.insertApp(app);
    await store.putAppSecret({
      appId: app.id,
      name: 'API_KEY',
      keyAccountId: keyAccount.id,
      valueCiphertext: 'ciphertext',
      versionId: null,
      updatedAt: T0,
    });
    const idempotency = {
      accountId: target.id,
      key: id('key'),
      fingerprint: 'f',
      responseCiphertext: 'c',
      createdAt: T0,
      expiresAt: T0 + 1000,
    };
    await store.insertIdempotency(idempotency);
    await store.savePortalRegistration({
      accountId: target.id,
      keyAccountId: keyAccount.id,
      appId: app.id,
      createdAt: T0,
      registeredAt: T0,
      runs: 1,
    });
    // The parent's own keys stay.
    const parentKey = client(accountId);
    await store.insertClient(parentKey);
    await store.insertVersion(version(parentKey));

    expect(await store.purgeAccessKeys(target.id)).toEqual({
      secretVersions: 2,
      tokens: 1,
      adminTokens: 1,
      appTokens: 1,
      sessions: 1,
      tokenConsumerIds: [consumer.id],
    });
    expect(await store.listVersions(keyAccount.id)).toEqual([]);
    expect(await store.getToken(token.id)).toBeNull();
    expect(await store.getAdminToken(target.id, adminToken.id)).toBeNull();
    expect(await store.getSession(target.id, session.id)).toBeNull();
    expect(await store.getApp(app.id)).toBeNull();
    expect(await store.listAppSecrets(app.id)).toEqual([]);
    expect(await store.getIdempotency(target.id, idempotency.key)).toBeNull();
    expect(await store.getInstallation(installed.id)).toBeNull();
    expect(await store.getPortalRegistration(target.id)).toBeNull();

    expect(await store.getClient(keyAccount.id)).toEqual(keyAccount);
    expect(await store.getMember(target.id, alice.id)).toEqual(alice);
    expect(await store.listVersions(parentKey.id)).toHaveLength(1);
    expect(await store.purgeAccessKeys(target.id)).toEqual({
      secretVersions: 0,
      tokens: 0,
      adminTokens: 0,
      appTokens: 0,
      sessions: 0,
      tokenConsumerIds: [],
    });
  });
});
