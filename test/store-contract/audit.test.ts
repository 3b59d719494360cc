import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, account, member, client, auditEvent, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: audit (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('appends audit events, filters and pages them, and sums failure aggregates from several nodes', async () => {
    const { store, peer } = stores;
    const auditAccount = `audit${kind}`;
    await store.insertAccount(account(auditAccount));
    const owner = client(auditAccount);
    await store.insertClient(owner);
    for (let i = 0; i < 5; i++)
      await store.insertAuditEvent(auditEvent(auditAccount, { at: T0 + i, clientId: i % 2 === 0 ? owner.id : null, data: { i } }));
    const all = await store.listAuditEvents(auditAccount, { limit: 2 });
    expect(all.items.map((e) => e.at)).toEqual([T0 + 4, T0 + 3]);
    const next = await store.listAuditEvents(auditAccount, { limit: 2, cursor: all.nextCursor! });
    expect(next.items.map((e) => e.at)).toEqual([T0 + 2, T0 + 1]);
    expect((await store.listAuditEvents(auditAccount, { limit: 50, clientId: owner.id })).items).toHaveLength(3);
    expect((await store.listAuditEvents(auditAccount, { limit: 50, since: T0 + 1, until: T0 + 3 })).items.map((e) => e.data)).toEqual([
      { i: 2 },
      { i: 1 },
    ]);

    const aggregate = {
      accountId: auditAccount,
      clientId: owner.id,
      versionId: null,
      code: 'bad_secret',
      minute: T0 - (T0 % 60_000),
      count: 2,
    };
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 1 && peer ? peer : store).addFailureAggregates([aggregate], () => id('evt'))),
    );
    const failed = await store.listAuditEvents(auditAccount, { limit: 50, type: 'auth.failed' });
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]).toMatchObject({ code: 'bad_secret', count: 12, clientId: owner.id });

    // Sign-in failures: one row per (account, member or none, purpose, minute), counted atomically.
    const minute = T0 - (T0 % 60_000);
    const signInFailure = { accountId: auditAccount, memberId: 'mem_target', purpose: 'sign-in' as const, minute };
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => (i % 2 === 1 && peer ? peer : store).addSignInFailure(signInFailure, () => id('evt'))),
    );
    await store.addSignInFailure({ ...signInFailure, memberId: null }, () => id('evt'));
    await store.addSignInFailure({ ...signInFailure, purpose: 'registration' }, () => id('evt'));
    await store.addSignInFailure({ ...signInFailure, minute: minute + 60_000 }, () => id('evt'));
    const signIns = (await store.listAuditEvents(auditAccount, { limit: 50, type: 'signin.failed' })).items;
    // Rows of the same minute come back in id order, which is random: compare them sorted.
    const rows = signIns.map((event) => JSON.stringify([event.at, event.data, event.count, event.actor.type])).sort();
    expect(rows).toEqual(
      [
        [minute, { purpose: 'registration', memberId: 'mem_target' }, 1, 'system'],
        [minute, { purpose: 'sign-in' }, 1, 'system'],
        [minute, { purpose: 'sign-in', memberId: 'mem_target' }, 4, 'system'],
        [minute + 60_000, { purpose: 'sign-in', memberId: 'mem_target' }, 1, 'system'],
      ]
        .map((row) => JSON.stringify(row))
        .sort(),
    );
  });
});
