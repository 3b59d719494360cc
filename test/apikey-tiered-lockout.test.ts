import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, limitedToken, sleep, whoamiFrom } from './support/key-accounts.js';
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

// SPEC §4 POST /v1/verify: a resource server forwards the end client's address, so lockout and
// throttles hit the offender rather than everyone behind the resource server.
describe.each(STORE_KINDS)('POST /v1/verify with sourceAddress (%s)', (kind) => {
  let rekey: Rekey;
  let wrong: string;
  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_VERIFY_FORWARDED_PER_MINUTE: '40' } });
    wrong = (await createKeyAccount(rekey, {}, 'donor')).secret;
  });
  afterAll(async () => {
    await rekey.close();
  });

  const verify = (id: string, secret: string, extra: Record<string, unknown> = {}, token?: string) =>
    rekey.request('POST', '/v1/verify', {
      body: {
        method: 'GET',
        url: 'https://api.example.test/orders',
        headers: { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
        ...extra,
      },
      ...(token ? { token } : {}),
    });

  it('forwarded failures lock the forwarded source, not the resource server', async () => {
    const account = await createKeyAccount(rekey, { maxFailedAttempts: 3, throttleFailuresPerMinute: 1000 });
    const offender = { sourceAddress: '203.0.113.7' };
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) codes.push((await verify(account.id, wrong, offender)).json.code);
    expect(codes).toEqual(['bad_secret', 'bad_secret', 'locked']);
    expect((await verify(account.id, account.secret, offender)).json).toMatchObject({ valid: false, code: 'locked' });
    // Other end clients, the resource server's own address and direct callers are unaffected.
    expect((await verify(account.id, account.secret, { sourceAddress: '203.0.113.8' })).json).toMatchObject({ valid: true, code: 'ok' });
    // An IPv4-mapped IPv6 address (as Node often reports IPv4 peers) is the same source.
    expect((await verify(account.id, account.secret, { sourceAddress: '::ffff:203.0.113.7' })).json).toMatchObject({ code: 'locked' });
    expect((await verify(account.id, account.secret)).json).toMatchObject({ valid: true });
    expect((await whoamiFrom(rekey.url, '127.0.0.1', account.id, account.secret)).status).toBe(200);
    const audit = await rekey.request('GET', `/v1/audit?type=client.locked&clientId=${account.id}`);
    expect(audit.json.items[0].data).toMatchObject({ scope: 'source', source: '203.0.113.7', address: '203.0.113.7' });

    // An IPv6 source is its /64.
    for (let i = 0; i < 3; i++) await verify(account.id, wrong, { sourceAddress: '2001:db8:1:2::7' });
    expect((await verify(account.id, account.secret, { sourceAddress: '2001:db8:1:2:ffff::8' })).json.code).toBe('locked');
    expect((await verify(account.id, account.secret, { sourceAddress: '2001:db8:1:3::7' })).json.valid).toBe(true);
    expect((await rekey.request('GET', `/v1/clients/${account.id}`)).json).toMatchObject({ locked: false, lockedSources: 2 });
  });

  it('needs credentials.verify.forwarded (403) and a valid IP address (400), changing nothing', async () => {
    const account = await createKeyAccount(rekey, { maxFailedAttempts: 1, throttleFailuresPerMinute: 1000 });
    const verifier = await limitedToken(rekey, ['credentials.verify']);
    const refused = await verify(account.id, wrong, { sourceAddress: '203.0.113.9' }, verifier);
    expect(refused.json).toMatchObject({ status: 403, code: 'forbidden', permission: 'credentials.verify.forwarded' });
    // Without the field the same token verifies as itself.
    expect((await verify(account.id, account.secret, {}, verifier)).json).toMatchObject({ valid: true });
    const forwarder = await limitedToken(rekey, ['credentials.verify', 'credentials.verify.forwarded']);
    expect((await verify(account.id, account.secret, { sourceAddress: '203.0.113.9' }, forwarder)).json).toMatchObject({ valid: true });

    for (const sourceAddress of [
      'not-an-ip',
      '1',
      '300.1.1.1',
      '203.0.113',
      '1.2.3.4/32',
      'fe80::1%eth0',
      '::ffff:1.2.3',
      '',
      'x'.repeat(65),
    ]) {
      const bad = await verify(account.id, wrong, { sourceAddress });
      expect(bad.status, sourceAddress).toBe(400);
      expect(bad.json.code).toBe('invalid_request');
    }
    expect((await verify(account.id, wrong, { sourceAddress: 7 })).status).toBe(400);
    // Nothing was counted: a single failure would have locked this key account's source.
    expect((await rekey.request('GET', `/v1/clients/${account.id}`)).json).toMatchObject({ locked: false, lockedSources: 0 });
    expect((await verify(account.id, account.secret)).json).toMatchObject({ valid: true });
  });

  it('rate-limits forwarded verifications per caller', async () => {
    rekey.clock.advance(60_000 - (rekey.clock.now() % 60_000) + 5);
    await sleep(250);
    const account = await createKeyAccount(rekey, { throttleFailuresPerMinute: 1000 });
    const first = await limitedToken(rekey, ['credentials.verify', 'credentials.verify.forwarded']);
    const second = await limitedToken(rekey, ['credentials.verify', 'credentials.verify.forwarded']);
    for (let i = 0; i < 40; i++)
      expect((await verify(account.id, account.secret, { sourceAddress: '198.51.100.1' }, first)).status).toBe(200);
    const limited = await verify(account.id, account.secret, { sourceAddress: '198.51.100.1' }, first);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ code: 'rate_limited' });
    expect(limited.json.retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('retry-after')).toBe(String(limited.json.retryAfter));
    // Other callers, and the same caller without sourceAddress, are not limited.
    expect((await verify(account.id, account.secret, { sourceAddress: '198.51.100.1' }, second)).status).toBe(200);
    expect((await verify(account.id, account.secret, {}, first)).status).toBe(200);
    rekey.clock.advance(60_000);
    expect((await verify(account.id, account.secret, { sourceAddress: '198.51.100.1' }, first)).status).toBe(200);
  });
});
