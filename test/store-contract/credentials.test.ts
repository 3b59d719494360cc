import { describe, expect, it } from 'vitest';
import type { Client } from '../../src/core/credentials/client.js';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, sleep, account, client, version, accountId, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: credentials (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('stores clients and pages through them in a stable order', async () => {
    const { store } = stores;
    const pageAccount = `pages${kind}`;
    await store.insertAccount(account(pageAccount));
    const made: Client[] = [];
    for (let i = 0; i < 7; i++) {
      const item = client(pageAccount, {
        createdAt: T0 + (i % 3),
        profile: i % 2 === 0 ? 'apikey' : 'oauth',
        fields: { allowedScopes: [`s${i}`] },
      });
      await store.insertClient(item);
      made.push(item);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listClients(pageAccount, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = [...made].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((c) => c.id);
    expect(seen).toEqual(expected);
    const oauthOnly = await store.listClients(pageAccount, { profile: 'oauth', limit: 50 });
    expect(oauthOnly.items.every((c) => c.profile === 'oauth')).toBe(true);
    expect(oauthOnly.items).toHaveLength(3);

    const first = made[0]!;
    expect(await store.getClient(first.id)).toEqual(first);
    const locked = { ...first, failedAttempts: 5, lockedAt: T0 + 1, name: 'Renamed', updatedAt: T0 + 1 };
    await store.updateClient(locked);
    expect(await store.getClient(first.id)).toEqual(locked);
    expect(await store.getClient('cli_missing')).toBeNull();
  });

  it('stores secret versions and applies batched usage', async () => {
    const { store } = stores;
    const owner = client(accountId);
    await store.insertClient(owner);
    const older = version(owner, { state: 'previous', graceUntil: T0 + 1000, createdAt: T0 });
    const newer = version(owner, { createdAt: T0 + 1, secretCiphertext: 'ciphertext' });
    await store.insertVersion(newer);
    await store.insertVersion(older);
    expect((await store.listVersions(owner.id)).map((v) => v.id)).toEqual([older.id, newer.id]);
    await store.updateVersion({ ...older, state: 'retired', retiredAt: T0 + 2, graceUntil: null });
    await store.applyUsage([{ versionId: newer.id, hour: T0 - (T0 % 3_600_000), count: 3, lastUsedAt: T0 + 50 }]);
    await store.applyUsage([{ versionId: newer.id, hour: T0 - (T0 % 3_600_000), count: 2, lastUsedAt: T0 + 40 }]);
    const [retired, current] = await store.listVersions(owner.id);
    expect(retired).toMatchObject({ state: 'retired', retiredAt: T0 + 2, graceUntil: null });
    expect(current).toMatchObject({ useCount: 5, lastUsedAt: T0 + 50, secretCiphertext: 'ciphertext' });
    // Leaked-secret reports find a version by its hash alone, in any state.
    expect(await store.findVersionBySecretHash(older.secretHash)).toMatchObject({ id: older.id, clientId: owner.id, state: 'retired' });
    expect(await store.findVersionBySecretHash(newer.secretHash)).toMatchObject({ id: newer.id, state: 'current' });
    expect(await store.findVersionBySecretHash(id('hash'))).toBeNull();
  });

  it('keeps idempotency records until they expire', async () => {
    const { store } = stores;
    const record = { accountId, key: id('key'), fingerprint: 'f1', responseCiphertext: 'c1', createdAt: T0, expiresAt: T0 + 1000 };
    expect(await store.getIdempotency(accountId, record.key)).toBeNull();
    await store.insertIdempotency(record);
    expect(await store.getIdempotency(accountId, record.key)).toEqual(record);
    expect(await store.getIdempotency('other', record.key)).toBeNull();
    await store.purgeExpired(T0 + 999);
    expect(await store.getIdempotency(accountId, record.key)).not.toBeNull();
    await store.purgeExpired(T0 + 1000);
    expect(await store.getIdempotency(accountId, record.key)).toBeNull();
  });

  it('serialises transactions that lock the same client', async () => {
    const { store, peer } = stores;
    const owner = client(accountId, { failedAttempts: 0 });
    await store.insertClient(owner);
    const other = peer ?? store;
    // Read-modify-write under lockClient from two connections: no increment may be lost.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? store : other).transaction(async (tx) => {
          await tx.lockClient(owner.id);
          const current = (await tx.getClient(owner.id))!;
          await sleep(2);
          await tx.updateClient({ ...current, failedAttempts: current.failedAttempts + 1 });
        }),
      ),
    );
    expect((await store.getClient(owner.id))!.failedAttempts).toBe(10);
  });
});
