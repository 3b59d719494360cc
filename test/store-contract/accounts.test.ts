import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdminToken } from '../../src/core/accounts/member.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, account, member, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: accounts (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('stores accounts, members, roles and admin tokens', async () => {
    const { store } = stores;
    expect(await store.countAccounts()).toBeGreaterThanOrEqual(1);
    expect(await store.getAccount(accountId)).toEqual(account(accountId));
    expect(await store.getAccount('nobody')).toBeNull();

    const alice = member(accountId);
    await store.insertMember(alice);
    expect(await store.getMember(accountId, alice.id)).toEqual(alice);
    expect(await store.getMember('other', alice.id)).toBeNull();
    const changed = { ...alice, roles: ['Auditor'], removedAt: T0 + 5 };
    await store.updateMember(changed);
    expect(await store.getMember(accountId, alice.id)).toEqual(changed);
    expect((await store.listMembers(accountId)).map((m) => m.id)).toContain(alice.id);

    await store.saveRole({ accountId, name: 'Auditor', permissions: ['audit.read'], createdAt: T0 });
    await store.saveRole({ accountId, name: 'Auditor', permissions: ['audit.read', 'credentials.read'], createdAt: T0 + 1 });
    expect((await store.listRoles(accountId)).find((role) => role.name === 'Auditor')?.permissions).toEqual(['audit.read', 'credentials.read']);
    await store.deleteRole(accountId, 'Auditor');
    expect((await store.listRoles(accountId)).find((role) => role.name === 'Auditor')).toBeUndefined();

    const token: AdminToken = { id: id('adm'), accountId, memberId: alice.id, name: 'ci', tokenHash: randomBytes(32).toString('base64url'), permissions: ['credentials.read'], createdAt: T0, expiresAt: null, revokedAt: null, lastUsedAt: null };
    await store.insertAdminToken(token);
    expect(await store.findAdminTokenByHash(token.tokenHash)).toEqual(token);
    expect(await store.getAdminToken(accountId, token.id)).toEqual(token);
    expect(await store.getAdminToken('other', token.id)).toBeNull();
    const revoked = { ...token, revokedAt: T0 + 9, lastUsedAt: T0 + 8 };
    await store.updateAdminToken(revoked);
    expect(await store.findAdminTokenByHash(token.tokenHash)).toEqual(revoked);
    expect((await store.listAdminTokens(accountId)).map((t) => t.id)).toContain(token.id);
  });
});
