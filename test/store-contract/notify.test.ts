import { describe, expect, it } from 'vitest';
import type { WebhookEndpoint } from '../../src/core/notify/notify-store.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, account, client, version, outbox, accountId, useContractStores, withFreshStores } from './harness.js';

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

  it('leases due outbox messages to one worker at a time', () =>
    fresh(async (store) => {
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

  it('never hands one outbox message to two concurrent workers', () =>
    fresh(async (store, peer) => {
      const now = T0 + 10_000_000;
      const leaseAccount = `race${kind}`;
      const messages = Array.from({ length: 60 }, (_, i) => outbox(leaseAccount, { nextAttemptAt: now - 1, createdAt: T0 + i }));
      for (const message of messages) await store.insertOutbox(message);
      const batches = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 1 && peer ? peer : store).leaseOutbox(now, 60_000, 7)),
      );
      const ids = batches.flat().map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(messages.map((m) => m.id).sort());
    }));

  it('records a delivery attempt and ends its lease', async () => {
    const { store } = stores;
    const settleAccount = `settle${kind}`;
    await store.insertAccount(account(settleAccount));
    const message = outbox(settleAccount, { leaseUntil: T0 + 30_000 });
    await store.insertOutbox(message);
    const settlement = {
      status: 'pending' as const,
      attempts: 1,
      nextAttemptAt: T0 + 60_000,
      lastError: 'connection refused',
      sentAt: null,
    };
    await store.settleOutbox(message.id, settlement);
    expect(await store.listOutbox(settleAccount, { limit: 10 })).toEqual([{ ...message, ...settlement, leaseUntil: null }]);
  });

  it('stores webhook endpoints', async () => {
    const { store } = stores;
    const hooksAccount = `hooks${kind}`;
    await store.insertAccount(account(hooksAccount));
    const endpoint = (createdAt: number): WebhookEndpoint => ({
      id: id('whk'),
      accountId: hooksAccount,
      url: 'https://example.test/hook',
      events: ['secret.regenerated', 'client.locked'],
      secretCiphertext: 'ciphertext',
      createdAt,
    });
    const later = endpoint(T0 + 1);
    const first = endpoint(T0);
    await store.insertWebhook(later);
    await store.insertWebhook(first);
    expect(await store.getWebhook(first.id)).toEqual(first);
    expect(await store.listWebhooks(hooksAccount)).toEqual([first, later]);
    expect(await store.listWebhooks(accountId)).toEqual([]);
    await store.deleteWebhook(first.id);
    expect(await store.getWebhook(first.id)).toBeNull();
    expect(await store.listWebhooks(hooksAccount)).toEqual([later]);
  });

  it('lists current and previous versions about to expire, soonest first, until their warning is claimed', async () => {
    const { store } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const soon = version(owner, { state: 'previous', expiresAt: T0 + 50 });
    const later = version(owner, { expiresAt: T0 + 100 });
    const retired = version(owner, { state: 'retired', expiresAt: T0 + 60 });
    const outside = version(owner, { expiresAt: T0 + 500 });
    const endless = version(owner);
    for (const item of [later, retired, outside, endless, soon]) await store.insertVersion(item);

    expect((await store.listExpiringVersions(T0, T0 + 200, 10)).map((v) => v.id)).toEqual([soon.id, later.id]);
    expect(await store.listExpiringVersions(T0, T0 + 200, 1)).toEqual([soon]);
    expect((await store.listExpiringVersions(T0 + 50, T0 + 200, 10)).map((v) => v.id)).toEqual([later.id]);
    expect(await store.claimExpiryWarning(soon.id, T0)).toBe(true);
    expect(await store.claimExpiryWarning(soon.id, T0 + 1)).toBe(false);
    expect((await store.listExpiringVersions(T0, T0 + 200, 10)).map((v) => v.id)).toEqual([later.id]);
  });
});
