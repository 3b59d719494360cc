import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/stores.js';
import { accountId, client, id, useContractStores } from './harness.js';

// SPEC §5: what no store can hold is refused the same way by both, as bad input (issue 14, finding 1).
describe.each(STORE_KINDS)('Store contract: input no store can hold (%s)', (kind) => {
  const stores = useContractStores(kind);
  const refused = { name: 'RekeyError', code: 'invalid_request' };

  it('refuses a NUL or an unpaired surrogate in a lookup or a write as invalid_request, and stores nothing', async () => {
    const { store } = stores;
    for (const bad of ['cli_\u0000', 'cli_\ud800', 'cli_\udc00x']) {
      await expect(store.getClient(bad)).rejects.toMatchObject(refused);
      await expect(store.findMemberByEmail(accountId, `${bad}@example.test`)).rejects.toMatchObject(refused);
    }
    const named = client(accountId, { name: 'a\u0000b' });
    await expect(store.insertClient(named)).rejects.toMatchObject(refused);
    expect(await store.getClient(named.id)).toBeNull();
    // A timestamp beyond what a BIGINT holds is bad input too, never `unavailable`.
    if (kind === 'postgres') await expect(store.insertClient(client(accountId, { createdAt: 1e20 }))).rejects.toMatchObject(refused);
    // A paired surrogate (an emoji) is ordinary text.
    const emoji = client(accountId, { id: id('cli'), name: 'keys \ud83d\udd11' });
    await store.insertClient(emoji);
    expect((await store.getClient(emoji.id))?.name).toBe('keys \ud83d\udd11');
  });
});
