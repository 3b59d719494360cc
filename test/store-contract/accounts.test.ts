import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConsoleSession } from '../../src/core/accounts/console-session.js';
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
    expect((await store.listRoles(accountId)).find((role) => role.name === 'Auditor')?.permissions).toEqual([
      'audit.read',
      'credentials.read',
    ]);
    await store.deleteRole(accountId, 'Auditor');
    expect((await store.listRoles(accountId)).find((role) => role.name === 'Auditor')).toBeUndefined();

    const token: AdminToken = {
      id: id('adm'),
      accountId,
      memberId: alice.id,
      name: 'ci',
      tokenHash: randomBytes(32).toString('base64url'),
      permissions: ['credentials.read'],
      createdAt: T0,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await store.insertAdminToken(token);
    expect(await store.findAdminTokenByHash(token.tokenHash)).toEqual(token);
    expect(await store.getAdminToken(accountId, token.id)).toEqual(token);
    expect(await store.getAdminToken('other', token.id)).toBeNull();
    const revoked = { ...token, revokedAt: T0 + 9, lastUsedAt: T0 + 8 };
    await store.updateAdminToken(revoked);
    expect(await store.findAdminTokenByHash(token.tokenHash)).toEqual(revoked);
    expect((await store.listAdminTokens(accountId)).map((t) => t.id)).toContain(token.id);
  });

  it('finds a present member by email', async () => {
    const { store } = stores;
    const bob = member(accountId);
    const gone = member(accountId, { removedAt: T0 + 1 });
    await store.insertMember(bob);
    await store.insertMember(gone);
    expect(await store.findMemberByEmail(accountId, bob.email)).toEqual(bob);
    expect(await store.findMemberByEmail(accountId, gone.email)).toBeNull();
    expect(await store.findMemberByEmail('other', bob.email)).toBeNull();
  });

  it('stores console sessions, lists the live ones newest first, and ends them by scope', async () => {
    const { store } = stores;
    const sessionsAccount = `sessions${kind}`;
    await store.insertAccount(account(sessionsAccount));
    const alice = member(sessionsAccount);
    const bob = member(sessionsAccount);
    await store.insertMember(alice);
    await store.insertMember(bob);
    const session = (memberId: string, overrides: Partial<ConsoleSession> = {}): ConsoleSession => ({
      id: id('ses'),
      accountId: sessionsAccount,
      memberId,
      tokenHash: id('tok'),
      csrfHash: 'c',
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 1000,
      revokedAt: null,
      revokedReason: null,
      address: '10.0.0.1',
      userAgent: 'browser',
      ...overrides,
    });
    const first = session(alice.id, { createdAt: T0 });
    const second = session(alice.id, { createdAt: T0 + 1 });
    const bobs = session(bob.id, { createdAt: T0 + 2, userAgent: null });
    const expired = session(alice.id, { createdAt: T0 + 3, expiresAt: T0 + 5 });
    for (const item of [first, second, bobs, expired]) await store.insertSession(item);

    expect(await store.findSessionByTokenHash(first.tokenHash)).toEqual(first);
    expect(await store.findSessionByTokenHash(id('tok'))).toBeNull();
    expect(await store.getSession(sessionsAccount, bobs.id)).toEqual(bobs);
    expect(await store.getSession(accountId, bobs.id)).toBeNull();
    expect((await store.listActiveSessions(sessionsAccount, null, T0 + 10)).map((s) => s.id)).toEqual([bobs.id, second.id, first.id]);
    expect((await store.listActiveSessions(sessionsAccount, alice.id, T0 + 10)).map((s) => s.id)).toEqual([second.id, first.id]);

    await store.touchSession(first.id, T0 + 20);
    await store.touchSession(first.id, T0 + 15);
    expect((await store.getSession(sessionsAccount, first.id))?.lastSeenAt).toBe(T0 + 20);

    expect(await store.revokeSessions(sessionsAccount, { memberId: alice.id, exceptSessionId: second.id }, T0 + 30, 'signed_out')).toBe(2);
    expect(await store.getSession(sessionsAccount, first.id)).toMatchObject({ revokedAt: T0 + 30, revokedReason: 'signed_out' });
    expect(await store.revokeSessions(sessionsAccount, { sessionId: second.id }, T0 + 31, 'revoked')).toBe(1);
    expect(await store.revokeSessions(sessionsAccount, { sessionId: second.id }, T0 + 32, 'revoked')).toBe(0);
    expect(await store.revokeSessions(sessionsAccount, {}, T0 + 33, 'all')).toBe(1);
    expect(await store.listActiveSessions(sessionsAccount, null, T0 + 10)).toEqual([]);
    expect(await store.getSession(sessionsAccount, first.id)).toMatchObject({ revokedAt: T0 + 30, revokedReason: 'signed_out' });
  });

  it('counts sign-in failures per key in fixed windows, a new window once the old one has passed', async () => {
    const { store } = stores;
    const key = `email:${id('who')}@example.test`;
    expect(await store.addThrottleFailure(key, T0, 1000)).toEqual({ key, windowStart: T0, failures: 1 });
    expect(await store.addThrottleFailure(key, T0 + 999, 1000)).toEqual({ key, windowStart: T0, failures: 2 });
    expect(await store.addThrottleFailure(key, T0 + 1000, 1000)).toEqual({ key, windowStart: T0 + 1000, failures: 1 });
    expect(await store.readThrottles([key, 'address:10.9.9.9'])).toEqual([{ key, windowStart: T0 + 1000, failures: 1 }]);
    expect(await store.readThrottles([])).toEqual([]);
    await store.clearThrottle(key);
    expect(await store.readThrottles([key])).toEqual([]);
  });
});
