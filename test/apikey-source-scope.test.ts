import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, whoamiFrom } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';

// Two loopback source addresses: the whole 127.0.0.0/8 block reaches the server on 127.0.0.1.
const ATTACKER = '127.0.0.2';
const APP = '127.0.0.3';

describe.each(STORE_KINDS)('lockScope "source" (%s)', (kind) => {
  let rekey: Rekey;
  let wrong: string;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    wrong = (await createKeyAccount(rekey, {}, 'donor')).secret;
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('locks only the offending address; unlock and regenerate clear it', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'source', maxFailedAttempts: 3, throttleFailuresPerMinute: 1000 });
    expect((await whoamiFrom(rekey.url, APP, account.id, account.secret)).status).toBe(200);
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++) codes.push((await whoamiFrom(rekey.url, ATTACKER, account.id, wrong)).json.code);
    expect(codes).toEqual(['bad_secret', 'bad_secret', 'locked', 'locked']);
    // The attacker's address is locked even with the right secret; the app's address is not.
    const refused = await whoamiFrom(rekey.url, ATTACKER, account.id, account.secret);
    expect(refused.json).toMatchObject({ code: 'locked', lockScope: 'source' });
    for (let i = 0; i < 5; i++) expect((await whoamiFrom(rekey.url, APP, account.id, account.secret)).status).toBe(200);
    const view = (await rekey.request('GET', `/v1/clients/${account.id}`)).json;
    expect(view).toMatchObject({ locked: false, failedAttempts: 0, lockScope: 'source' });
    const audit = await rekey.request('GET', `/v1/audit?type=client.locked&clientId=${account.id}`);
    expect(audit.json.items[0].data).toMatchObject({ scope: 'source', address: ATTACKER, failedAttempts: 3 });

    // A success from an address resets only that address's counter.
    expect((await whoamiFrom(rekey.url, APP, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, APP, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, APP, account.id, account.secret)).status).toBe(200);
    expect((await whoamiFrom(rekey.url, APP, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, APP, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, APP, account.id, account.secret)).status).toBe(200);

    const unlocked = await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {} });
    expect(unlocked.status).toBe(200);
    const unlockAudit = await rekey.request('GET', `/v1/audit?type=client.unlocked&clientId=${account.id}`);
    expect(unlockAudit.json.items[0].data).toMatchObject({ addresses: [ATTACKER] });
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, account.secret)).status).toBe(200);

    for (let i = 0; i < 3; i++) await whoamiFrom(rekey.url, ATTACKER, account.id, wrong);
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, account.secret)).json.code).toBe('locked');
    const regenerated = await rekey.request('POST', `/v1/clients/${account.id}/regenerate`, { body: {} });
    expect(regenerated.status).toBe(200);
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, regenerated.json.secret)).status).toBe(200);
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, account.secret)).json.code).toBe('stale_secret');
    const regenAudit = await rekey.request('GET', `/v1/audit?type=client.unlocked&clientId=${account.id}`);
    expect(regenAudit.json.items[0].data).toMatchObject({ reason: 'regenerated', scope: 'source', addresses: 1 });
  });

  it('throttling is per (key account, address) too', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'source', maxFailedAttempts: 100, throttleFailuresPerMinute: 2 });
    rekey.clock.advance(60_000 - (rekey.clock.now() % 60_000) + 5);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, ATTACKER, account.id, wrong)).status).toBe(429);
    expect((await whoamiFrom(rekey.url, APP, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoamiFrom(rekey.url, APP, account.id, account.secret)).status).toBe(200);
  });
});
