import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { RekeyError } from '../../src/core/kernel/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { CHANGE_CHANNEL } from '../../src/store/postgres/postgres-change-listener.js';
import { STORE_KINDS, TEST_DATABASE_URL } from '../support/stores.js';
import { T0, id, sleep, client, version, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: kernel (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('purges ended throttle windows, expired sessions and quiet per-address lockout rows, and nothing live', async () => {
    const { store } = stores;
    const client = id('cli');
    const later = T0 + 10 * 86_400_000;
    // Failure windows: the count restarts only once the window has ended and been purged.
    const windowStart = later - (later % 60_000);
    expect(await store.countFailureInWindow(client, '10.0.0.1', windowStart, 100)).toBe(1);
    await store.purgeExpired(windowStart + 59_999);
    expect(await store.countFailureInWindow(client, '10.0.0.1', windowStart, 100)).toBe(2);
    await store.purgeExpired(windowStart + 60_000);
    expect(await store.countFailureInWindow(client, '10.0.0.1', windowStart, 100)).toBe(1);

    const throttleKey = `email:${id('who')}@example.test`;
    await store.addThrottleFailure(throttleKey, later, 900_000);
    await store.purgeExpired(later + 899_999);
    expect(await store.readThrottles([throttleKey])).toHaveLength(1);
    await store.purgeExpired(later + 900_000);
    expect(await store.readThrottles([throttleKey])).toHaveLength(0);

    const session = {
      id: id('ses'),
      accountId,
      memberId: 'mem_x',
      tokenHash: id('tok'),
      csrfHash: 'c',
      createdAt: later,
      lastSeenAt: later,
      expiresAt: later + 1000,
      revokedAt: null,
      revokedReason: null,
      address: '10.0.0.1',
      userAgent: null,
    };
    await store.insertSession(session);
    await store.purgeExpired(later + 999);
    expect(await store.getSession(accountId, session.id)).not.toBeNull();
    await store.purgeExpired(later + 1000);
    expect(await store.getSession(accountId, session.id)).toBeNull();

    // Lockout rows: a counter and a lapsed lock go after a quiet day; a lock without end stays.
    await store.recordSourceFailure(client, '10.0.0.2', { maxFailedAttempts: 5, lockedUntil: null, now: later });
    await store.recordSourceFailure(client, '10.0.0.3', { maxFailedAttempts: 1, lockedUntil: later + 1000, now: later });
    await store.recordSourceFailure(client, '10.0.0.4', { maxFailedAttempts: 1, lockedUntil: null, now: later });
    const addresses = async () => (await store.listSourceLockouts(client)).map((row) => row.address).sort();
    expect(await addresses()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    await store.purgeExpired(later + 86_400_000 - 1);
    expect(await addresses()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    await store.purgeExpired(later + 86_400_000);
    expect(await addresses()).toEqual(['10.0.0.4']);

    // Tiered windows and lock-notice claims go after a day (the longest lockWindowSeconds).
    const windowRule = { bucket: later, since: -1, accountLockFailures: 100, accountLockSources: 3, lockedUntil: null, now: later };
    await store.recordAccountWindowFailure(client, '10.0.0.2', windowRule);
    expect(await store.claimLockNotice(client, later, -1)).toBe(true);
    await store.purgeExpired(later + 86_400_000 - 1);
    expect((await store.recordAccountWindowFailure(client, '10.0.0.2', windowRule)).failures).toBe(2);
    expect(await store.claimLockNotice(client, later, -1)).toBe(false);
    await store.purgeExpired(later + 86_400_000 + 1);
    expect((await store.recordAccountWindowFailure(client, '10.0.0.2', windowRule)).failures).toBe(1);
    expect(await store.claimLockNotice(client, later, -1)).toBe(true);
  });

  it('rolls a transaction back when its work throws, and nested transactions join the outer one', async () => {
    const { store } = stores;
    const doomed = client(accountId);
    await expect(
      store.transaction(async (tx) => {
        await tx.insertClient(doomed);
        await tx.transaction(async (inner) => inner.insertVersion(version(doomed)));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getClient(doomed.id)).toBeNull();
    expect(await store.listVersions(doomed.id)).toEqual([]);

    const kept = client(accountId);
    await store.transaction(async (tx) => {
      await tx.insertClient(kept);
      await tx.transaction(async (inner) => inner.insertVersion(version(kept)));
    });
    expect(await store.listVersions(kept.id)).toHaveLength(1);
  });

  it('records changes only when their transaction commits', async () => {
    const { store } = stores;
    const start = await store.latestChange();
    const committed = id('cli');
    await store.transaction(async (tx) => tx.recordChange(committed, T0));
    await expect(
      store.transaction(async (tx) => {
        await tx.recordChange(id('cli'), T0);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const outside = id('cli');
    await store.recordChange(outside, T0);
    const changes = await store.changesSince(start);
    expect(changes.map((c) => c.clientId)).toEqual([committed, outside]);
    expect(changes[0]!.seq).toBeLessThan(changes[1]!.seq);
    expect(await store.latestChange()).toBe(changes[1]!.seq);
    expect(await store.changesSince(changes[1]!.seq)).toEqual([]);
  });

  it('numbers changes in commit order, so a reader that only looks past its last sequence misses none', async () => {
    const { store, peer } = stores;
    const start = await store.latestChange();
    const writers = peer ? [store, peer] : [store];
    const recorded: string[] = [];
    let done = false;
    const seen: string[] = [];
    let lastSeq = start;
    const read = async (): Promise<void> => {
      for (const change of await store.changesSince(lastSeq)) {
        seen.push(change.clientId);
        lastSeq = change.seq;
      }
    };
    const reader = (async () => {
      while (!done) {
        await read();
        await sleep(1);
      }
      await read();
    })();
    // Transactions that record early but commit late, interleaved with ones that commit at once.
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const clientId = id('cli');
        await writers[i % writers.length]!.transaction(async (tx) => {
          await tx.recordChange(clientId, T0);
          await sleep(i % 3 === 0 ? 30 : i % 3 === 1 ? 5 : 0);
        });
        recorded.push(clientId);
      }),
    );
    done = true;
    await reader;
    expect(seen.sort()).toEqual([...recorded].sort());
  });

  it.runIf(kind === 'postgres')('sends a change notice at commit, never for a rollback', async () => {
    const { store } = stores;
    const listener = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    const notices: string[] = [];
    listener.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload) notices.push(message.payload);
    });
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      const committed = id('cli');
      const rolledBack = id('cli');
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const open = store.transaction(async (tx) => {
        await tx.recordChange(committed, T0);
        await held;
      });
      await sleep(50);
      expect(notices).not.toContain(committed);
      release();
      await open;
      await expect(
        store.transaction(async (tx) => {
          await tx.recordChange(rolledBack, T0);
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      const deadline = Date.now() + 2000;
      while (!notices.includes(committed) && Date.now() < deadline) await sleep(5);
      await sleep(50);
      expect(notices).toContain(committed);
      expect(notices).not.toContain(rolledBack);
    } finally {
      await listener.end();
    }
  });

  it.runIf(kind === 'postgres')('reports an unreachable database as `unavailable`, promptly', async () => {
    const { db } = stores;
    const url = new URL(db.url);
    url.port = '1'; // nothing listens there
    const { store: dead } = await openStore({ kind: 'postgres', url: url.toString() }, { migrate: false });
    try {
      const started = Date.now();
      const failure = await dead.getClient('cli_x').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RekeyError);
      expect((failure as RekeyError).code).toBe('unavailable');
      const inTransaction = await dead.transaction(async (tx) => tx.getClient('cli_x')).catch((error: unknown) => error);
      expect((inTransaction as RekeyError).code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await dead.close();
    }
  });

  it('passes ordinary database errors through unchanged', async () => {
    const { store } = stores;
    const duplicate = client(accountId);
    await store.insertClient(duplicate);
    const failure = await store.insertClient(duplicate).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(RekeyError);
  });
});
