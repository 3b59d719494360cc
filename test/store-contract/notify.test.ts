import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.js';
import { T0, account, outbox, useContractStores, withFreshStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: notify (%s)', (kind) => {
  const stores = useContractStores(kind);
  const fresh = (work: Parameters<typeof withFreshStores>[1]): Promise<void> => withFreshStores(kind, work);

  it('stores outbox messages and lists them by type and status', async () => {
    const { store } = stores;
    const outboxAccount = `outbox${kind}`;
    await store.insertAccount(account(outboxAccount));
    const first = outbox(outboxAccount, { createdAt: T0 });
    const second = outbox(outboxAccount, { createdAt: T0 + 1, status: 'sent', sentAt: T0 + 2, type: 'client.locked', channel: 'webhook' });
    await store.insertOutbox(first);
    await store.insertOutbox(second);
    expect(await store.listOutbox(outboxAccount, { limit: 10 })).toEqual([second, first]);
    expect(await store.listOutbox(outboxAccount, { limit: 10, status: 'pending' })).toEqual([first]);
    expect(await store.listOutbox(outboxAccount, { limit: 10, type: 'client.locked' })).toEqual([second]);
  });

  it('leases due outbox messages to one worker at a time', () => fresh(async (store) => {
    const now = T0 + 10_000_000;
    const leaseAccount = `lease${kind}`;
    const due = Array.from({ length: 5 }, (_, i) => outbox(leaseAccount, { nextAttemptAt: now - 100 + i, createdAt: T0 + i }));
    const expiredLease = outbox(leaseAccount, { nextAttemptAt: now - 1000, leaseUntil: now - 1 });
    const notDue = outbox(leaseAccount, { nextAttemptAt: now + 1 });
    const leased = outbox(leaseAccount, { nextAttemptAt: now - 1000, leaseUntil: now + 5000 });
    const sent = outbox(leaseAccount, { nextAttemptAt: now - 1000, status: 'sent', sentAt: now - 500 });
    const failed = outbox(leaseAccount, { nextAttemptAt: now - 1000, status: 'failed' });
    for (const message of [...due, expiredLease, notDue, leased, sent, failed]) await store.insertOutbox(message);

    const batch = await store.leaseOutbox(now, 30_000, 3);
    expect(batch.map((m) => m.id)).toEqual([expiredLease.id, due[0]!.id, due[1]!.id]);
    expect(batch.every((m) => m.leaseUntil === now + 30_000 && m.status === 'pending')).toBe(true);
    expect(batch[0]).toEqual({ ...expiredLease, leaseUntil: now + 30_000 });

    const rest = await store.leaseOutbox(now, 30_000, 10);
    expect(rest.map((m) => m.id)).toEqual([due[2]!.id, due[3]!.id, due[4]!.id]);
    expect(await store.leaseOutbox(now, 30_000, 10)).toEqual([]);
    // Leases run out; so does the wait for a message that was not due yet.
    const later = await store.leaseOutbox(now + 30_000, 1000, 10);
    expect(later.map((m) => m.id).sort()).toEqual([...due.map((m) => m.id), expiredLease.id, notDue.id, leased.id].sort());
  }));

  it('never hands one outbox message to two concurrent workers', () => fresh(async (store, peer) => {
    const now = T0 + 10_000_000;
    const leaseAccount = `race${kind}`;
    const messages = Array.from({ length: 60 }, (_, i) => outbox(leaseAccount, { nextAttemptAt: now - 1, createdAt: T0 + i }));
    for (const message of messages) await store.insertOutbox(message);
    const batches = await Promise.all(Array.from({ length: 12 }, (_, i) => ((i % 2 === 1 && peer) ? peer : store).leaseOutbox(now, 60_000, 7)));
    const ids = batches.flat().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(messages.map((m) => m.id).sort());
  }));
});
