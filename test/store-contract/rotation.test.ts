import { describe, expect, it } from 'vitest';
import type { RotationRun } from '../../src/core/rotation/rotation-run.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, accountId, client, id, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: scheduled rotation (%s)', (kind) => {
  const stores = useContractStores(kind);
  const run = (clientId: string, overrides: Partial<RotationRun> = {}): RotationRun => ({
    id: id('rot'),
    accountId,
    clientId,
    dueAt: T0,
    kind: 'rotate',
    mode: 'auto',
    status: 'running',
    attempts: 1,
    leaseUntil: T0 + 300_000,
    nextAttemptAt: null,
    versionId: null,
    plan: null,
    detail: {},
    startedAt: T0,
    updatedAt: T0,
    finishedAt: null,
    ...overrides,
  });

  it('keeps a client’s policy, and lists only active clients that have one, by id', async () => {
    const { store } = stores;
    const policy = { everyDays: 30, warnDays: 3, graceSeconds: 600, mode: 'auto' as const };
    const [a, b, c] = [
      client(accountId, { rotationPolicy: policy }),
      client(accountId),
      client(accountId, { rotationPolicy: policy, state: 'deleted' }),
    ];
    for (const each of [a, b, c]) await store.insertClient(each);
    expect((await store.getClient(a.id))?.rotationPolicy).toEqual(policy);
    expect((await store.getClient(b.id))?.rotationPolicy).toBeNull();
    const listed = await store.listClientsWithRotationPolicy(null, 500);
    expect(listed.map((each) => each.id)).toContain(a.id);
    expect(listed.map((each) => each.id)).not.toContain(b.id);
    expect(listed.map((each) => each.id)).not.toContain(c.id);
    expect(listed.map((each) => each.id)).toEqual([...listed.map((each) => each.id)].sort());
    expect(await store.listClientsWithRotationPolicy(a.id, 500)).not.toContainEqual(expect.objectContaining({ id: a.id }));
    await store.updateClient({ ...a, rotationPolicy: null });
    expect((await store.getClient(a.id))?.rotationPolicy).toBeNull();
  });

  it('inserts one run per (client, due date, kind): a second insert loses, on another connection too', async () => {
    const { store, peer } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const inserts = await Promise.all([store, peer ?? store, store].map((each) => each.insertRotationRun(run(owner.id))));
    expect(inserts.filter(Boolean)).toHaveLength(1);
    expect(await store.insertRotationRun(run(owner.id, { kind: 'warn', status: 'notified', leaseUntil: null }))).toBe(true);
    expect(await store.insertRotationRun(run(owner.id, { dueAt: T0 + 1 }))).toBe(true);
  });

  it('replaces a run only while it is as expected: of several takeovers exactly one wins', async () => {
    const { store, peer } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const stored = run(owner.id, { plan: { graceSeconds: 60, apps: [] }, detail: { apps: [] } });
    await store.insertRotationRun(stored);
    const takeovers = [store, peer ?? store, store].map((each, i) =>
      each.replaceRotationRun({ ...stored, leaseUntil: T0 + 900_000 + i, updatedAt: T0 + 1 }, stored),
    );
    expect((await Promise.all(takeovers)).filter(Boolean)).toHaveLength(1);
    expect(await store.replaceRotationRun({ ...stored, status: 'succeeded' }, stored)).toBe(false);
    const now = await store.getRotationRun(stored.id);
    expect(now?.leaseUntil).toBeGreaterThanOrEqual(T0 + 900_000);
    expect(now?.plan).toEqual({ graceSeconds: 60, apps: [] });
    const failed = { ...now!, status: 'failed' as const, leaseUntil: null, nextAttemptAt: T0 + 86_400_000 };
    expect(await store.replaceRotationRun(failed, now!)).toBe(true);
    expect(await store.replaceRotationRun({ ...failed, attempts: 2 }, failed)).toBe(true);
  });

  it('lists resumable runs (failed and due, or running past the lease) and a client’s runs newest first, paged', async () => {
    const { store } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const stale = run(owner.id, { dueAt: 1, leaseUntil: T0 - 1, startedAt: T0 - 3 });
    const live = run(owner.id, { dueAt: 2, leaseUntil: T0 + 60_000, startedAt: T0 - 2 });
    const retry = run(owner.id, { dueAt: 3, status: 'failed', leaseUntil: null, nextAttemptAt: T0, startedAt: T0 - 1 });
    const later = run(owner.id, { dueAt: 4, status: 'failed', leaseUntil: null, nextAttemptAt: T0 + 1, startedAt: T0 });
    const notice = run(owner.id, { dueAt: 5, kind: 'warn', status: 'notified', leaseUntil: null, startedAt: T0 + 1 });
    for (const each of [stale, live, retry, later, notice]) expect(await store.insertRotationRun(each)).toBe(true);
    const resumable = (await store.listResumableRotationRuns(T0, 100)).map((each) => each.id);
    expect(resumable).toEqual(expect.arrayContaining([stale.id, retry.id]));
    expect(resumable).not.toContain(live.id);
    expect(resumable).not.toContain(later.id);
    expect(resumable).not.toContain(notice.id);

    const first = await store.listRotationRuns(owner.id, { limit: 3 });
    expect(first.items.map((each) => each.id)).toEqual([notice.id, later.id, retry.id]);
    const second = await store.listRotationRuns(owner.id, { cursor: first.nextCursor!, limit: 3 });
    expect(second.items.map((each) => each.id)).toEqual([live.id, stale.id]);
    expect(second.nextCursor).toBeUndefined();
  });
});
