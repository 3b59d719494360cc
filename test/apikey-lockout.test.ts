import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, limitedToken, sleep, whoami } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';

const WRONG = 'rk_sec_' + '1'.repeat(43);

describe.each(STORE_KINDS)('key account lockout (%s)', (kind) => {
  let rekey: Rekey;
  let wrong: string;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    // A well-formed secret (right checksum) that belongs to no key account.
    const other = await createKeyAccount(rekey, {}, 'donor');
    wrong = other.secret;
    expect(WRONG).not.toBe(wrong);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const get = async (id: string) => (await rekey.request('GET', `/v1/clients/${id}`)).json;

  it('locks at maxFailedAttempts, refuses the right secret while locked, and unlock restores it', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', throttleFailuresPerMinute: 1000 });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await whoami(rekey.url, account.id, wrong)).json.code);
    expect(codes).toEqual(['bad_secret', 'bad_secret', 'bad_secret', 'bad_secret', 'locked']);
    let view = await get(account.id);
    expect(view).toMatchObject({ locked: true, failedAttempts: 5 });

    const right = await whoami(rekey.url, account.id, account.secret);
    expect(right.status).toBe(401);
    expect(right.json.code).toBe('locked');
    expect(right.headers.get('www-authenticate')).toContain('Basic');
    // Attempts while locked do not count.
    for (let i = 0; i < 3; i++) expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('locked');
    expect((await get(account.id)).failedAttempts).toBe(5);

    const list = await rekey.request('GET', '/v1/clients?profile=apikey');
    expect(list.json.items.find((item: { id: string }) => item.id === account.id)).toMatchObject({ locked: true });

    const audit = await rekey.request('GET', `/v1/audit?type=client.locked&clientId=${account.id}`);
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0].data).toMatchObject({ scope: 'keyAccount', failedAttempts: 5, lastFailure: 'bad_secret' });
    const outbox = await rekey.request('GET', '/v1/outbox?type=client.locked');
    expect(outbox.json.items.length).toBeGreaterThanOrEqual(1);

    const unlocked = await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {} });
    expect(unlocked.status).toBe(200);
    expect(unlocked.json).toMatchObject({ id: account.id, locked: false, failedAttempts: 0 });
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    const unlockAudit = await rekey.request('GET', `/v1/audit?type=client.unlocked&clientId=${account.id}`);
    expect(unlockAudit.json.items[0].data).toMatchObject({ reason: 'unlocked' });
    view = await get(account.id);
    expect(view.locked).toBe(false);
  });

  it('a success resets the counter, and writes nothing when it is already zero', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', throttleFailuresPerMinute: 1000 });
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    const store = rekey.runtime.core.store;
    const before = await store.latestChange();
    for (let i = 0; i < 20; i++) expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    expect(await store.latestChange()).toBe(before);

    for (let i = 0; i < 3; i++) await whoami(rekey.url, account.id, wrong);
    expect((await get(account.id)).failedAttempts).toBe(3);
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    expect((await get(account.id)).failedAttempts).toBe(0);
    const afterReset = await store.latestChange();
    for (let i = 0; i < 5; i++) expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    expect(await store.latestChange()).toBe(afterReset);
    // Four more failures no longer reach the limit of five.
    for (let i = 0; i < 4; i++) expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await get(account.id)).locked).toBe(false);
  });

  it('malformed secrets are refused before any lookup and never count', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', maxFailedAttempts: 1 });
    for (let i = 0; i < 3; i++)
      expect((await whoami(rekey.url, account.id, WRONG.slice(0, -1) + '0')).json.code).toBe('malformed_credential');
    expect(await get(account.id)).toMatchObject({ locked: false, failedAttempts: 0 });
  });

  it('maxFailedAttempts is honoured, and lockSeconds ends a lock by itself', async () => {
    const account = await createKeyAccount(rekey, {
      lockScope: 'keyAccount',
      maxFailedAttempts: 2,
      lockSeconds: 60,
      throttleFailuresPerMinute: 1000,
    });
    expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('locked');
    expect((await whoami(rekey.url, account.id, account.secret)).json.code).toBe('locked');
    rekey.clock.advance(61_000);
    await sleep(250);
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    expect(await get(account.id)).toMatchObject({ locked: false, failedAttempts: 0 });
    // Counting starts afresh after a lapsed lock.
    expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('locked');
  });

  it('throttles failures per address with 429 and retryAfter; successes pass; throttled attempts do not count', async () => {
    // Start at the top of a minute so the window cannot roll over mid-test.
    rekey.clock.advance(60_000 - (rekey.clock.now() % 60_000) + 5);
    await sleep(250);
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', maxFailedAttempts: 100, throttleFailuresPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('bad_secret');
    const throttled = await whoami(rekey.url, account.id, wrong);
    expect(throttled.status).toBe(429);
    expect(throttled.json.code).toBe('rate_limited');
    expect(throttled.json.retryAfter).toBeGreaterThanOrEqual(1);
    expect(throttled.json.retryAfter).toBeLessThanOrEqual(60);
    expect(throttled.headers.get('retry-after')).toBe(String(throttled.json.retryAfter));
    expect((await whoami(rekey.url, account.id, wrong)).status).toBe(429);
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    // The success reset the counter; the throttled failures were never counted.
    expect((await get(account.id)).failedAttempts).toBe(0);
    rekey.clock.advance(60_000);
    await sleep(250);
    expect((await whoami(rekey.url, account.id, wrong)).json.code).toBe('bad_secret');
    expect((await get(account.id)).failedAttempts).toBe(1);
  });

  it('stale secrets: not counted by default, attributed in stale-usage (most recent first)', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', throttleFailuresPerMinute: 1000 });
    const regenerated = await rekey.request('POST', `/v1/clients/${account.id}/regenerate`, { body: {} });
    expect(regenerated.status).toBe(200);
    for (let i = 0; i < 8; i++) {
      const answer = await whoami(rekey.url, account.id, account.secret, { 'rekey-app-id': 'app_billing', 'user-agent': 'billing/2.1' });
      expect(answer.json.code).toBe('stale_secret');
    }
    await sleep(5);
    rekey.clock.advance(1000);
    for (let i = 0; i < 2; i++) await whoami(rekey.url, account.id, account.secret, { 'user-agent': 'curl/8' });
    expect(await get(account.id)).toMatchObject({ locked: false, failedAttempts: 0 });
    expect((await whoami(rekey.url, account.id, regenerated.json.secret)).status).toBe(200);

    const usage = await rekey.request('GET', `/v1/clients/${account.id}/stale-usage`);
    expect(usage.status).toBe(200);
    expect(usage.json.items).toHaveLength(2);
    const [latest, earlier] = usage.json.items;
    expect(latest).toEqual({
      versionId: account.versionId,
      userAgent: 'curl/8',
      address: '127.0.0.1',
      count: 2,
      lastSeenAt: expect.any(String),
    });
    expect(earlier).toEqual({
      versionId: account.versionId,
      appId: 'app_billing',
      userAgent: 'billing/2.1',
      address: '127.0.0.1',
      count: 8,
      lastSeenAt: expect.any(String),
    });
    expect(Date.parse(latest.lastSeenAt)).toBeGreaterThan(Date.parse(earlier.lastSeenAt));
  });

  it('with staleSecretsCount a retired secret counts towards the lock', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', staleSecretsCount: true, throttleFailuresPerMinute: 1000 });
    await rekey.request('POST', `/v1/clients/${account.id}/regenerate`, { body: {} });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await whoami(rekey.url, account.id, account.secret)).json.code);
    expect(codes).toEqual(['stale_secret', 'stale_secret', 'stale_secret', 'stale_secret', 'locked']);
    expect((await get(account.id)).locked).toBe(true);
  });

  it('regenerating a locked key account unlocks it, and only the new secret works', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', throttleFailuresPerMinute: 1000 });
    for (let i = 0; i < 5; i++) await whoami(rekey.url, account.id, wrong);
    expect((await get(account.id)).locked).toBe(true);
    const regenerated = await rekey.request('POST', `/v1/clients/${account.id}/regenerate`, { body: {} });
    expect(regenerated.status).toBe(200);
    expect(await get(account.id)).toMatchObject({ locked: false, failedAttempts: 0 });
    expect((await whoami(rekey.url, account.id, regenerated.json.secret)).status).toBe(200);
    expect((await whoami(rekey.url, account.id, account.secret)).json.code).toBe('stale_secret');
  });

  it('POST /v1/verify counts failures exactly as a direct request', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', maxFailedAttempts: 2, throttleFailuresPerMinute: 1000 });
    const verify = (secret: string) =>
      rekey.request('POST', '/v1/verify', {
        body: {
          method: 'GET',
          url: 'https://api.example.test/x',
          headers: { Authorization: `Basic ${Buffer.from(`${account.id}:${secret}`).toString('base64')}` },
        },
      });
    expect((await verify(wrong)).json).toMatchObject({ valid: false, code: 'bad_secret' });
    expect((await verify(wrong)).json).toMatchObject({ valid: false, code: 'locked' });
    expect((await verify(account.secret)).json).toMatchObject({ valid: false, code: 'locked' });
  });

  describe('POST /v1/clients/{id}/unlock', () => {
    it('refuses bad input, other profiles, missing or wrong credentials and other accounts', async () => {
      const account = await createKeyAccount(rekey);
      expect((await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: { force: true } })).json).toMatchObject({
        status: 400,
        code: 'invalid_request',
      });
      expect(
        (await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { rawBody: 'x', headers: { 'content-type': 'text/plain' } }))
          .status,
      ).toBe(415);
      const oauth = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'o' } });
      expect((await rekey.request('POST', `/v1/clients/${oauth.json.id}/unlock`, { body: {} })).json).toMatchObject({
        status: 409,
        code: 'conflict',
      });
      expect((await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {}, token: null })).status).toBe(401);
      expect(
        (await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {}, token: 'rk_adm_' + 'x'.repeat(49) })).status,
      ).toBe(401);
      const foreign = await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {}, token: rekey.other.token });
      expect(foreign.json).toMatchObject({ status: 404, code: 'not_found', resourceType: 'client' });
      expect((await rekey.request('POST', '/v1/clients/cli_doesnotexist/unlock', { body: {} })).status).toBe(404);
      const reader = await limitedToken(rekey, ['credentials.read']);
      expect((await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {}, token: reader })).json).toMatchObject({
        status: 403,
        code: 'forbidden',
      });
    });
  });

  describe('GET /v1/clients/{id}/stale-usage', () => {
    it('refuses bad input, other profiles, missing or wrong credentials and other accounts', async () => {
      const account = await createKeyAccount(rekey);
      expect((await rekey.request('GET', `/v1/clients/${account.id}/stale-usage`)).json).toEqual({ items: [] });
      const oauth = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'o' } });
      expect((await rekey.request('GET', `/v1/clients/${oauth.json.id}/stale-usage`)).status).toBe(409);
      expect((await rekey.request('GET', `/v1/clients/${account.id}/stale-usage`, { token: null })).status).toBe(401);
      expect((await rekey.request('GET', `/v1/clients/${account.id}/stale-usage`, { token: 'garbage' })).status).toBe(401);
      expect((await rekey.request('GET', `/v1/clients/${account.id}/stale-usage`, { token: rekey.other.token })).json).toMatchObject({
        status: 404,
        code: 'not_found',
      });
      const nothing = await limitedToken(rekey, ['apps.manage']);
      expect((await rekey.request('GET', `/v1/clients/${account.id}/stale-usage`, { token: nothing })).status).toBe(403);
    });
  });
});
