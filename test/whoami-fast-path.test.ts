import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from './support/harness.js';
import { basic, createKeyAccount, whoami } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';

// GET /v1/whoami with Basic credentials is answered in front of the framework when the answer is
// an immediate success; a query string takes the framework's route, which is the reference.
describe.each(STORE_KINDS)('whoami fast path (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('answers exactly what the route answers: status, body and headers', async () => {
    const account = await createKeyAccount(rekey);
    await whoami(rekey.url, account.id, account.secret); // first use loads the cache
    const fast = await whoami(rekey.url, account.id, account.secret);
    const routed = await send(rekey.url, 'GET', '/v1/whoami?via=route', {
      token: null,
      headers: { authorization: basic(account.id, account.secret) },
    });
    expect(fast.status).toBe(200);
    expect(fast.text).toBe(routed.text);
    expect(fast.json).toEqual({
      credentialType: 'basic',
      accountId: 'acme1',
      clientId: account.id,
      profile: 'apikey',
      versionId: account.versionId,
    });
    for (const name of ['content-type', 'content-length', 'connection', 'keep-alive'])
      expect(fast.headers.get(name)).toBe(routed.headers.get(name));
  });

  it('hands failures on without authenticating twice: one failed attempt, one problem, one use per success', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', maxFailedAttempts: 5 });
    const donor = await createKeyAccount(rekey, {}, 'donor');
    const refused = await whoami(rekey.url, account.id, donor.secret);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('www-authenticate')).toContain('Basic realm="rekey"');
    expect(refused.json).toMatchObject({ code: 'bad_secret', realm: 'rekey', scope: 'whoami' });
    expect(refused.json.requestId).toMatch(/^req_/);
    let view = (await rekey.request('GET', `/v1/clients/${account.id}`)).json;
    expect(view.failedAttempts).toBe(1);

    // A success resets the counter (a write, so it too goes through the route) and counts one use.
    for (let i = 0; i < 7; i++) expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    await rekey.runtime.flush();
    view = (await rekey.request('GET', `/v1/clients/${account.id}`)).json;
    expect(view.failedAttempts).toBe(0);
    expect(view.versions[0].useCount).toBe(7);
  });

  it('steps aside for anything but a plain Basic GET', async () => {
    const account = await createKeyAccount(rekey);
    const headers = { authorization: basic(account.id, account.secret) };
    expect((await send(rekey.url, 'POST', '/v1/whoami', { token: null, headers })).status).toBe(200);
    expect((await send(rekey.url, 'HEAD', '/v1/whoami', { token: null, headers })).status).toBe(200);
    expect((await send(rekey.url, 'GET', '/v1/whoami/', { token: null, headers })).status).toBe(404);
    const malformed = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization: 'Basic %%%' } });
    expect(malformed.json).toMatchObject({ status: 401, code: 'malformed_credential' });
    const other = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization: 'Digest x' } });
    expect(other.json).toMatchObject({ status: 401, code: 'unauthenticated' });
  });
});

describe.each(STORE_KINDS)('whoami fast path behind a proxy (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('judges the forwarded address, as the route does', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'source', maxFailedAttempts: 2, throttleFailuresPerMinute: 1000 });
    const donor = await createKeyAccount(rekey, {}, 'donor');
    const from = (address: string) => ({ 'x-forwarded-for': address });
    await whoami(rekey.url, account.id, account.secret, from('203.0.113.8'));
    for (let i = 0; i < 2; i++) await whoami(rekey.url, account.id, donor.secret, from('203.0.113.7'));
    expect((await whoami(rekey.url, account.id, account.secret, from('203.0.113.7'))).json).toMatchObject({
      code: 'locked',
      lockScope: 'source',
    });
    expect((await whoami(rekey.url, account.id, account.secret, from('203.0.113.8'))).status).toBe(200);
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    const audit = await rekey.request('GET', `/v1/audit?type=client.locked&clientId=${account.id}`);
    expect(audit.json.items[0].data).toMatchObject({ scope: 'source', address: '203.0.113.7' });
  });
});

describe.each(STORE_KINDS)('whoami with access logs on (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('logs every whoami, so the route answers them all', async () => {
    const account = await createKeyAccount(rekey);
    for (let i = 0; i < 3; i++) expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    const lines = rekey.logs.filter((line) => line.includes('"route":"/v1/whoami"'));
    expect(lines.length).toBe(3);
    expect(lines.join('\n')).not.toContain(account.secret);
  });
});
