import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.js';
import { HOUR_MS, USAGE_BUCKET_RETENTION_MS, hourOf } from '../../src/core/auth/index.js';
import { T0, id, account, client, version, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: auth (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('claims a nonce once, across connections, and lets an expired one be reused', async () => {
    const { store, peer } = stores;
    const scope = id('scope');
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 1 && peer ? peer : store).claimNonce(scope, 'n1', T0 + 300_000, T0)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimNonce(scope, 'n1', T0 + 300_000, T0 + 1000)).toBe(false);
    expect(await store.claimNonce(scope, 'n1', T0 + 900_000, T0 + 300_000)).toBe(true);
    expect(await store.claimNonce(scope, 'n2', T0 + 10, T0)).toBe(true);
    await store.purgeExpired(T0 + 20);
    expect(await store.claimNonce(scope, 'n2', T0 + 30, T0 + 21)).toBe(true);
  });

  it('counts failed attempts on the key account atomically, locks at the limit, and resets only an open or lapsed lock', async () => {
    const { store, peer } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const rule = { maxFailedAttempts: 3, lockedUntil: T0 + 1000, now: T0 };
    const counters = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 1 && peer ? peer : store).recordFailedAttempt(owner.id, rule)),
    );
    expect(
      counters
        .filter((counter) => counter !== null)
        .map((counter) => counter!.failedAttempts)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(await store.getClient(owner.id)).toMatchObject({ failedAttempts: 3, lockedAt: T0, lockedUntil: T0 + 1000 });

    expect(await store.resetFailedAttempts(owner.id, T0 + 999)).toBe(false);
    expect(await store.recordFailedAttempt(owner.id, { ...rule, now: T0 + 999 })).toBeNull();
    // Once a timed lock has passed, counting starts again at one.
    expect(await store.recordFailedAttempt(owner.id, { ...rule, now: T0 + 1000 })).toEqual({
      failedAttempts: 1,
      lockedAt: null,
      lockedUntil: null,
    });
    expect(await store.resetFailedAttempts(owner.id, T0 + 1001)).toBe(true);
    expect(await store.getClient(owner.id)).toMatchObject({ failedAttempts: 0, lockedAt: null, lockedUntil: null });
    expect(await store.resetFailedAttempts(owner.id, T0 + 1001)).toBe(false);
  });

  it('counts failures per source address, lists and clears the locked ones, and caps failures per window', async () => {
    const { store } = stores;
    const owner = id('cli');
    const forever = { maxFailedAttempts: 2, lockedUntil: null, now: T0 };
    expect(await store.recordSourceFailure(owner, '10.0.0.1', forever)).toEqual({ failedAttempts: 1, lockedAt: null, lockedUntil: null });
    expect(await store.recordSourceFailure(owner, '10.0.0.1', forever)).toEqual({ failedAttempts: 2, lockedAt: T0, lockedUntil: null });
    expect(await store.recordSourceFailure(owner, '10.0.0.1', forever)).toBeNull();
    expect(await store.resetSourceFailures(owner, '10.0.0.1', T0 + 5)).toBe(false);
    expect(await store.recordSourceFailure(owner, '10.0.0.2', { maxFailedAttempts: 5, lockedUntil: null, now: T0 })).toEqual({
      failedAttempts: 1,
      lockedAt: null,
      lockedUntil: null,
    });
    expect(await store.resetSourceFailures(owner, '10.0.0.2', T0)).toBe(true);
    expect(await store.recordSourceFailure(owner, '10.0.0.3', { maxFailedAttempts: 1, lockedUntil: T0 + 10, now: T0 })).toEqual({
      failedAttempts: 1,
      lockedAt: T0,
      lockedUntil: T0 + 10,
    });
    expect(await store.listSourceLockouts(owner)).toEqual([
      { clientId: owner, address: '10.0.0.1', updatedAt: T0, failedAttempts: 2, lockedAt: T0, lockedUntil: null },
      { clientId: owner, address: '10.0.0.3', updatedAt: T0, failedAttempts: 1, lockedAt: T0, lockedUntil: T0 + 10 },
    ]);
    expect(await store.clearSourceLockouts(owner, T0 + 5)).toBe(2);
    expect(await store.listSourceLockouts(owner)).toEqual([]);

    expect(await store.countFailureInWindow(owner, '10.0.0.1', T0, 2)).toBe(1);
    expect(await store.countFailureInWindow(owner, '10.0.0.1', T0, 2)).toBe(2);
    expect(await store.countFailureInWindow(owner, '10.0.0.1', T0, 2)).toBeNull();
    expect(await store.countFailureInWindow(owner, '10.0.0.2', T0, 2)).toBe(1);
    expect(await store.countFailureInWindow(owner, '10.0.0.1', T0 + 60_000, 2)).toBe(1);
  });

  it('tiered: counts failures per source in the window, locks the key account once at enough failures from enough sources', async () => {
    const { store, peer } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const rule = (now: number) => ({
      bucket: now - (now % 60_000),
      since: now - 900_000,
      accountLockFailures: 4,
      accountLockSources: 2,
      lockedUntil: null,
      now,
    });
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.1', rule(T0))).toEqual({ failures: 1, sources: 1, locked: null });
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.1', rule(T0 + 1))).toEqual({ failures: 2, sources: 1, locked: null });
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.1', rule(T0 + 2))).toEqual({ failures: 3, sources: 1, locked: null });
    // Enough failures, but from one source: no lock.
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.1', rule(T0 + 3))).toEqual({ failures: 4, sources: 1, locked: null });
    expect((await store.getClient(owner.id))?.lockedAt).toBeNull();
    // Failures that left the window no longer count.
    const later = T0 + 900_000 + 60_000;
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.2', rule(later))).toEqual({ failures: 1, sources: 1, locked: null });
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.1', rule(later + 1))).toEqual({
      failures: 2,
      sources: 2,
      locked: null,
    });
    // Concurrent failures that cross both limits: exactly one locks.
    const results = await Promise.all(
      ['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'].map((source, i) =>
        (i % 2 === 1 && peer ? peer : store).recordAccountWindowFailure(owner.id, source, rule(later + 2)),
      ),
    );
    const locks = results.filter((result) => result.locked !== null);
    expect(locks).toHaveLength(1);
    expect(locks[0]!.locked).toMatchObject({ lockedAt: later + 2, lockedUntil: null });
    expect(await store.getClient(owner.id)).toMatchObject({ lockedAt: later + 2, lockedUntil: null });
    // Once locked, further failures lock nothing more.
    expect((await store.recordAccountWindowFailure(owner.id, '10.0.0.7', rule(later + 3))).locked).toBeNull();

    // Clearing drops the window with the source locks and the notice claim.
    await store.recordSourceFailure(owner.id, '10.0.0.1', { maxFailedAttempts: 1, lockedUntil: later + 60_000, now: later });
    expect(await store.countLockedSources(owner.id, later + 59_999)).toBe(1);
    expect(await store.countLockedSources(owner.id, later + 60_000)).toBe(0);
    expect(await store.claimLockNotice(owner.id, later, later - 900_000)).toBe(true);
    expect(await store.clearSourceLockouts(owner.id, later + 1)).toBe(1);
    expect(await store.countLockedSources(owner.id, later + 1)).toBe(0);
    await store.updateClient({ ...owner, failedAttempts: 0, lockedAt: null, lockedUntil: null });
    expect(await store.recordAccountWindowFailure(owner.id, '10.0.0.8', rule(later + 4))).toEqual({
      failures: 1,
      sources: 1,
      locked: null,
    });
    expect(await store.claimLockNotice(owner.id, later + 5, later + 5 - 900_000)).toBe(true);
  });

  it('claims a lock notice at most once per window, across connections', async () => {
    const { store, peer } = stores;
    const owner = id('cli');
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 1 && peer ? peer : store).claimLockNotice(owner, T0, T0 - 900_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimLockNotice(owner, T0 + 899_999, T0 - 1)).toBe(false);
    expect(await store.claimLockNotice(owner, T0 + 900_000, T0)).toBe(true);
    expect(await store.claimLockNotice(owner, T0 + 900_001, T0 + 1)).toBe(false);
  });

  it('aggregates stale-secret use per version, app, user agent and address, most recent first', async () => {
    const { store } = stores;
    const owner = id('cli');
    const versionId = id('ver');
    const plain = { clientId: owner, versionId, appId: null, userAgent: null, address: '10.0.0.1' };
    for (const at of [T0, T0 + 5, T0 + 2]) await store.recordStaleUse({ ...plain, at });
    const tagged = { ...plain, appId: 'app_web', userAgent: 'curl/8' };
    await store.recordStaleUse({ ...tagged, at: T0 + 10 });
    expect(await store.listStaleUsage(owner, 10)).toEqual([
      { ...tagged, count: 1, firstSeenAt: T0 + 10, lastSeenAt: T0 + 10 },
      { ...plain, count: 3, firstSeenAt: T0, lastSeenAt: T0 + 5 },
    ]);
    expect(await store.listStaleUsage(owner, 1)).toHaveLength(1);
    expect(await store.listStaleUsage(id('cli'), 10)).toEqual([]);
  });

  it('adds usage to hourly buckets per version, in the same flush as the counters, and purges buckets after 30 days', async () => {
    const { store, peer } = stores;
    const owner = client(accountId);
    const otherAccount = account(id('acc'));
    await store.insertAccount(otherAccount);
    const stranger = client(otherAccount.id);
    await store.insertClient(owner);
    await store.insertClient(stranger);
    const [older, newer] = [version(owner, { state: 'previous', graceUntil: T0 + HOUR_MS }), version(owner)];
    const foreign = version(stranger);
    for (const v of [older, newer, foreign]) await store.insertVersion(v);
    const hour = hourOf(T0);
    const next = hour + HOUR_MS;

    await Promise.all([
      store.applyUsage([
        { versionId: newer.id, hour, count: 2, lastUsedAt: hour + 10 },
        { versionId: older.id, hour, count: 5, lastUsedAt: hour + 20 },
        // The same (version, hour) twice in one batch: a version's hour turned and came back.
        { versionId: newer.id, hour, count: 1, lastUsedAt: hour + 30 },
        { versionId: foreign.id, hour, count: 9, lastUsedAt: hour + 30 },
        { versionId: 'ver_missing', hour, count: 4, lastUsedAt: hour + 30 },
      ]),
      (peer ?? store).applyUsage([{ versionId: newer.id, hour: next, count: 7, lastUsedAt: next + 1 }]),
    ]);
    await store.applyUsage([{ versionId: newer.id, hour, count: 10, lastUsedAt: hour + 40 }]);

    expect(await store.listUsageBuckets(owner.id, hour)).toEqual(
      [
        { versionId: newer.id, hour, count: 13 },
        { versionId: older.id, hour, count: 5 },
        { versionId: newer.id, hour: next, count: 7 },
      ].sort((a, b) => a.hour - b.hour || (a.versionId < b.versionId ? -1 : 1)),
    );
    expect(await store.listUsageBuckets(owner.id, next)).toEqual([{ versionId: newer.id, hour: next, count: 7 }]);
    expect(await store.listUsageBuckets(stranger.id, hour)).toEqual([{ versionId: foreign.id, hour, count: 9 }]);
    const versions = await store.listVersions(owner.id);
    expect(versions.find((v) => v.id === newer.id)).toMatchObject({ useCount: 20, lastUsedAt: next + 1 });

    // A bucket goes once its hour began more than 30 days ago.
    await store.purgeExpired(hour + USAGE_BUCKET_RETENTION_MS);
    expect(await store.listUsageBuckets(owner.id, 0)).toHaveLength(3);
    await store.purgeExpired(hour + USAGE_BUCKET_RETENTION_MS + 1);
    expect(await store.listUsageBuckets(owner.id, 0)).toEqual([{ versionId: newer.id, hour: next, count: 7 }]);
  });
});
