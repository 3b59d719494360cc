import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.js';
import { auditSealOf } from '../../src/core/audit/index.js';
import { T0, id, account, member, client, auditEvent, accountId, useContractStores } from './harness.js';

const seal = auditSealOf({ auditKey: Buffer.alloc(32, 7) });

describe.each(STORE_KINDS)('Store contract: audit (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('appends audit events, filters and pages them, and sums failure aggregates from several nodes', async () => {
    const { store, peer } = stores;
    const auditAccount = `audit${kind}`;
    await store.insertAccount(account(auditAccount));
    const owner = client(auditAccount);
    await store.insertClient(owner);
    for (let i = 0; i < 5; i++)
      await store.insertAuditEvent(auditEvent(auditAccount, { at: T0 + i, clientId: i % 2 === 0 ? owner.id : null, data: { i } }), seal);
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

  it("links each account's events in a hash chain: concurrent appends from two connections take consecutive positions", async () => {
    const { store, peer } = stores;
    const chained = `chain${kind}`;
    await store.insertAccount(account(chained));
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 1 && peer ? peer : store).insertAuditEvent(auditEvent(chained, { at: T0 + i }), seal),
      ),
    );
    const events = await store.listChainedAuditEvents(chained, 0, 100);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    let previous = '';
    for (const event of events) {
      expect(event.hash).toBe(seal(previous, event, event.seq));
      previous = event.hash;
    }
    expect(await store.getAuditHead(chained)).toEqual({ seq: 40, hash: previous, checkpointSeq: 0, checkpointAt: 0 });
    expect((await store.listChainedAuditEvents(chained, 38, 100)).map((event) => event.seq)).toEqual([39, 40]);

    // An aggregate joins the chain once its minute has settled, and never grows after that.
    const owner = client(chained);
    await store.insertClient(owner);
    const minute = T0 - (T0 % 60_000);
    const aggregate = { accountId: chained, clientId: owner.id, versionId: null, code: 'bad_secret', minute, count: 3 };
    await store.addFailureAggregates([aggregate], () => id('evt'));
    expect(await store.countUnchainedAuditEvents(chained)).toBe(1);
    await store.chainPendingAuditEvents(minute, seal);
    expect(await store.countUnchainedAuditEvents(chained)).toBe(1);
    // Other tests' accounts may have settled aggregates too: at least this one is chained.
    expect(await store.chainPendingAuditEvents(minute + 1, seal)).toBeGreaterThanOrEqual(1);
    expect(await store.countUnchainedAuditEvents(chained)).toBe(0);
    await store.addFailureAggregates([aggregate], () => id('evt'));
    const [sealed] = await store.listChainedAuditEvents(chained, 40, 10);
    expect(sealed).toMatchObject({ seq: 41, type: 'auth.failed', count: 3 });
    expect(sealed!.hash).toBe(seal(previous, sealed!, 41));

    // Heads with unpublished links, oldest publication first; a checkpoint never moves back.
    expect((await store.listAuditHeadsToCheckpoint(T0, 1000)).map((head) => head.accountId)).toContain(chained);
    expect(await store.markAuditCheckpoint(chained, 41, T0, T0)).toBe(true);
    expect(await store.markAuditCheckpoint(chained, 40, T0 + 1, T0 + 1)).toBe(false);
    expect(await store.markAuditCheckpoint(chained, 42, T0 + 1, T0 - 1)).toBe(false);
    expect(await store.getAuditHead(chained)).toMatchObject({ seq: 41, checkpointSeq: 41, checkpointAt: T0 });
    expect((await store.listAuditHeadsToCheckpoint(T0 + 10, 1000)).map((head) => head.accountId)).not.toContain(chained);
  });
});
