import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14, finding 1 (SPEC §5): input that no store can hold — a NUL, an unpaired surrogate — is
// refused the same way on both stores: 400 or 404 problem details, never 5xx, never `unavailable`.
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;

describe.each(STORE_KINDS)('input no store can hold (%s)', (kind) => {
  let rekey: Rekey;
  let clientId: string;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Keys' } });
    expect(created.status).toBe(201);
    clientId = created.json.id;
  });
  afterAll(async () => {
    await rekey.close();
  });

  const expectRefused = (response: { status: number; json: unknown }, statuses: number[]) => {
    expect(statuses, JSON.stringify(response.json)).toContain(response.status);
  };

  it('answers 404 for a path id holding a NUL or an unpaired surrogate', async () => {
    for (const id of ['cli_%00', `${clientId}%00`, '%00']) {
      for (const path of [`/v1/clients/${id}`, `/v1/clients/${id}/unlock`]) {
        const response = await rekey.request(path.endsWith('unlock') ? 'POST' : 'GET', path, path.endsWith('unlock') ? { body: {} } : {});
        expect(response.status, `${path}: ${response.text}`).toBe(404);
        expect(response.json.code).toBe('not_found');
      }
    }
  });

  it('answers 400 for a body string holding a NUL or an unpaired surrogate, and stores nothing', async () => {
    for (const name of ['a\u0000b', 'a\ud800b', '\udfff']) {
      const response = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name } });
      expect(response.status, response.text).toBe(400);
      expect(response.json.code).toBe('invalid_request');
    }
    const list = await rekey.request('GET', '/v1/clients');
    expect(list.json.items).toHaveLength(1);
  });

  it('refuses a NUL on the unauthenticated routes with 4xx (sign-in, registration)', async () => {
    const signIn = await rekey.request('POST', '/v1/sessions', {
      token: null,
      body: { accountId: rekey.main.accountId, email: 'admin@acme.test\u0000', password: 'x' },
    });
    expectRefused(signIn, [400, 401]);
    const signInAccount = await rekey.request('POST', '/v1/sessions', {
      token: null,
      body: { accountId: 'acme\u0000', email: 'admin@acme.test', password: 'x' },
    });
    expectRefused(signInAccount, [400, 401]);
    const register = await rekey.request('POST', '/v1/register', {
      token: null,
      body: { companyId: 'co\u0000', email: 'a@b.test', password: 'correct horse battery staple' },
    });
    expectRefused(register, [400, 401, 404, 409]);
  });

  it('refuses a NUL in credentials with 4xx, never 503 (Basic on /v1/whoami, /oauth/token)', async () => {
    const whoami = await rekey.request('GET', '/v1/whoami', {
      token: null,
      headers: { authorization: basic(`${clientId}\u0000`, 'rk_x') },
    });
    expectRefused(whoami, [400, 401]);
    const sameShape = `${clientId.slice(0, -1)}\u0000`;
    for (const authorization of [basic(sameShape, 'rk_x'), basic(encodeURIComponent(sameShape), 'rk_x')]) {
      const response = await rekey.request('GET', '/v1/whoami', { token: null, headers: { authorization } });
      expectRefused(response, [400, 401]);
      const viaToken = await rekey.request('POST', '/oauth/token', {
        token: null,
        rawBody: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      });
      expectRefused(viaToken, [400, 401]);
    }
    const whoamiEscaped = await rekey.request('GET', '/v1/whoami', { token: null, headers: { authorization: basic('cli_%00', 'rk_x') } });
    expectRefused(whoamiEscaped, [400, 401]);
    const token = await rekey.request('POST', '/oauth/token', {
      token: null,
      rawBody: 'grant_type=client_credentials&client_id=cli_%00&client_secret=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectRefused(token, [400, 401]);
    const tokenBasic = await rekey.request('POST', '/oauth/token', {
      token: null,
      rawBody: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('cli_%00', 'x') },
    });
    expectRefused(tokenBasic, [400, 401]);
  });

  it('logs no error for any of it', () => {
    const errors = rekey.logs.filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  });
});
