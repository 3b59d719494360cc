import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.js';
import { T0, id, useContractStores } from './harness.js';

describe.each(STORE_KINDS)('Store contract: auth (%s)', (kind) => {
  const stores = useContractStores(kind);

  it('claims a nonce once, across connections, and lets an expired one be reused', async () => {
    const { store, peer } = stores;
    const scope = id('scope');
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => ((i % 2 === 1 && peer) ? peer : store).claimNonce(scope, 'n1', T0 + 300_000, T0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimNonce(scope, 'n1', T0 + 300_000, T0 + 1000)).toBe(false);
    expect(await store.claimNonce(scope, 'n1', T0 + 900_000, T0 + 300_000)).toBe(true);
    expect(await store.claimNonce(scope, 'n2', T0 + 10, T0)).toBe(true);
    await store.purgeExpired(T0 + 20);
    expect(await store.claimNonce(scope, 'n2', T0 + 30, T0 + 21)).toBe(true);
  });
});
