import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, sleep, whoamiFrom } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';

// Loopback source addresses: the whole 127.0.0.0/8 block reaches the server on 127.0.0.1.
const A = '127.0.0.2';
const HOLDER = '127.0.0.3';
const C = '127.0.0.4';
const D = '127.0.0.5';

// SPEC §4.5: a key id is not a secret, so by default failures lock the failing source, and only a
// spread attack locks the whole key account.
describe.each(STORE_KINDS)('lockScope "tiered", the default (%s)', (kind) => {
  let rekey: Rekey;
  let wrong: string;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    wrong = (await createKeyAccount(rekey, {}, 'donor')).secret;
  });
  afterAll(async () => {
    await rekey.close();
  });

  const view = async (id: string) => (await rekey.request('GET', `/v1/clients/${id}`)).json;
  const locks = async (id: string) => (await rekey.request('GET', `/v1/audit?type=client.locked&clientId=${id}`)).json.items;
  const notices = async () => (await rekey.request('GET', '/v1/outbox?type=client.locked')).json.items.length as number;

  it('five failures from A lock A only; the holder keeps working; failures from three sources lock the key account once; unlock clears everything', async () => {
    const account = await createKeyAccount(rekey, { accountLockFailures: 9, throttleFailuresPerMinute: 1000 });
    expect(await view(account.id)).toMatchObject({
      lockScope: 'tiered',
      maxFailedAttempts: 5,
      sourceLockSeconds: 900,
      accountLockFailures: 9,
      accountLockSources: 3,
      lockWindowSeconds: 900,
      locked: false,
      lockedSources: 0,
    });
    const noticesBefore = await notices();

    // Five failures from A lock A, even for the right secret.
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 5; i++) codes.push((await whoamiFrom(rekey.url, A, account.id, wrong)).json.code);
    expect(codes).toEqual(['bad_secret', 'bad_secret', 'bad_secret', 'bad_secret', 'locked']);
    expect((await whoamiFrom(rekey.url, A, account.id, account.secret)).json).toMatchObject({ code: 'locked', lockScope: 'source' });
    // The holder on another address is unaffected.
    for (let i = 0; i < 3; i++) expect((await whoamiFrom(rekey.url, HOLDER, account.id, account.secret)).status).toBe(200);
    expect(await view(account.id)).toMatchObject({ locked: false, lockedSources: 1 });
    const sourceLocks = await locks(account.id);
    expect(sourceLocks).toHaveLength(1);
    expect(sourceLocks[0].data).toMatchObject({ scope: 'source', lockScope: 'tiered', source: A, address: A, failedAttempts: 5 });
    expect(await notices()).toBe(noticesBefore + 1);

    // A keeps guessing: refused, but still counted towards the key account (6 failures, 1 source).
    expect((await whoamiFrom(rekey.url, A, account.id, wrong)).json).toMatchObject({ code: 'locked', lockScope: 'source' });
    // Two more sources: 8 failures from 3 sources is not yet enough …
    expect((await whoamiFrom(rekey.url, C, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, D, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, HOLDER, account.id, account.secret)).status).toBe(200);
    expect((await view(account.id)).locked).toBe(false);
    // … the ninth locks the key account everywhere.
    const ninth = await whoamiFrom(rekey.url, C, account.id, wrong);
    expect(ninth.json.code).toBe('locked');
    expect(ninth.json.lockScope).toBeUndefined();
    const refused = await whoamiFrom(rekey.url, HOLDER, account.id, account.secret);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('locked');
    expect(await view(account.id)).toMatchObject({ locked: true, lockedSources: 1, failedAttempts: 9 });
    // Attempts while the key account is locked count nothing and lock nothing more.
    for (let i = 0; i < 5; i++) await whoamiFrom(rekey.url, D, account.id, wrong);
    expect(await view(account.id)).toMatchObject({ locked: true, lockedSources: 1, failedAttempts: 9 });

    const allLocks = await locks(account.id);
    expect(allLocks).toHaveLength(2);
    expect(allLocks[0].data).toMatchObject({ scope: 'keyAccount', lockScope: 'tiered', failedAttempts: 9, sources: 3, address: C });
    // One notice per key account per window, however many locks.
    await sleep(50);
    expect(await notices()).toBe(noticesBefore + 1);

    // Unlock clears the key account, every source lock and the window.
    const unlocked = await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {} });
    expect(unlocked.status).toBe(200);
    expect(unlocked.json).toMatchObject({ locked: false, lockedSources: 0, failedAttempts: 0 });
    expect(await view(account.id)).toMatchObject({ locked: false, lockedSources: 0, failedAttempts: 0 });
    const unlockAudit = await rekey.request('GET', `/v1/audit?type=client.unlocked&clientId=${account.id}`);
    expect(unlockAudit.json.items[0].data).toMatchObject({ reason: 'unlocked', addresses: [A] });
    expect((await whoamiFrom(rekey.url, A, account.id, account.secret)).status).toBe(200);
    expect((await whoamiFrom(rekey.url, HOLDER, account.id, account.secret)).status).toBe(200);
    // The window starts afresh: three failures from three sources lock nothing.
    for (const source of [A, C, D]) expect((await whoamiFrom(rekey.url, source, account.id, wrong)).json.code).toBe('bad_secret');
    expect(await view(account.id)).toMatchObject({ locked: false, lockedSources: 0 });
  });

  it('a source lock ends after sourceLockSeconds; failures that leave the window no longer count', async () => {
    const account = await createKeyAccount(rekey, {
      sourceLockSeconds: 60,
      maxFailedAttempts: 2,
      accountLockFailures: 6,
      lockWindowSeconds: 300,
      throttleFailuresPerMinute: 1000,
    });
    for (let i = 0; i < 2; i++) await whoamiFrom(rekey.url, A, account.id, wrong);
    expect((await whoamiFrom(rekey.url, A, account.id, account.secret)).json.code).toBe('locked');
    rekey.clock.advance(61_000);
    await sleep(250);
    expect((await whoamiFrom(rekey.url, A, account.id, account.secret)).status).toBe(200);
    expect((await view(account.id)).lockedSources).toBe(0);

    // The two early failures from A leave the window; had they stayed, D's second failure would be the sixth.
    rekey.clock.advance(300_000);
    await sleep(250);
    expect((await whoamiFrom(rekey.url, A, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, C, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, D, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, D, account.id, wrong)).json).toMatchObject({ code: 'locked', lockScope: 'source' });
    expect((await whoamiFrom(rekey.url, C, account.id, wrong)).json).toMatchObject({ code: 'locked', lockScope: 'source' });
    expect(await view(account.id)).toMatchObject({ locked: false, lockedSources: 2 });
    const sixth = await whoamiFrom(rekey.url, A, account.id, wrong);
    expect(sixth.json.code).toBe('locked');
    expect(sixth.json.lockScope).toBeUndefined();
    expect(await view(account.id)).toMatchObject({ locked: true, failedAttempts: 6, lockedSources: 3 });
  });

  it('regenerating clears source locks and the window', async () => {
    const account = await createKeyAccount(rekey, { accountLockFailures: 7, throttleFailuresPerMinute: 1000 });
    for (let i = 0; i < 5; i++) await whoamiFrom(rekey.url, A, account.id, wrong);
    expect((await view(account.id)).lockedSources).toBe(1);
    const regenerated = await rekey.request('POST', `/v1/clients/${account.id}/regenerate`, { body: {} });
    expect(regenerated.status).toBe(200);
    expect((await view(account.id)).lockedSources).toBe(0);
    expect((await whoamiFrom(rekey.url, A, account.id, regenerated.json.secret)).status).toBe(200);
    // Had the window survived, these two would make seven from three sources.
    expect((await whoamiFrom(rekey.url, C, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, D, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await view(account.id)).locked).toBe(false);
  });

  it('refuses policy values outside the schema, creating nothing', async () => {
    for (const fields of [
      { lockScope: 'everyone' },
      { sourceLockSeconds: 0 },
      { accountLockFailures: 0 },
      { accountLockSources: 1001 },
      { lockWindowSeconds: 59 },
      { lockWindowSeconds: '900' },
    ]) {
      const refused = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Bad policy', ...fields } });
      expect(refused.json, JSON.stringify(fields)).toMatchObject({ status: 400, code: 'invalid_request' });
    }
    const clients = (await rekey.request('GET', '/v1/clients?profile=apikey&limit=200')).json.items;
    expect(clients.filter((client: { name: string }) => client.name === 'Bad policy')).toEqual([]);
  });
});
