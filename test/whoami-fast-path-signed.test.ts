import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../src/protocols/http-signature.js';
import { buildOAuthHeader } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { createOAuthClient, issueToken } from './oauth2-helpers.js';
import { STORE_KINDS } from './support/stores.js';

// Signed requests and Bearer tokens on GET /v1/whoami are answered in front of the framework once
// their (promised) outcome succeeds; a query string takes the framework's route, the reference.
describe.each(STORE_KINDS)('whoami fast path for signed requests and Bearer tokens (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const expectSameAnswer = (fast: TestResponse, routed: TestResponse): void => {
    expect(fast.status).toBe(200);
    expect(routed.status).toBe(200);
    expect(fast.text).toBe(routed.text);
    for (const name of ['content-type', 'content-length', 'connection', 'keep-alive'])
      expect(fast.headers.get(name)).toBe(routed.headers.get(name));
  };

  describe('RFC 9421', () => {
    let keyId: string;
    let secret: string;
    beforeAll(async () => {
      const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'integrator', name: 'Fast path' } });
      ({ id: keyId, secret } = created.json);
    });
    const signed = (path: string, nonce = randomBytes(12).toString('base64url')): Record<string, string> =>
      signRequest({ method: 'GET', url: rekey.config.publicUrl + path, headers: {}, keyId, secret, nonce });

    it('answers what the route answers, and refuses a replay with the route problem', async () => {
      const headers = signed('/v1/whoami');
      const fast = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers });
      const routed = await send(rekey.url, 'GET', '/v1/whoami?via=route', { token: null, headers: signed('/v1/whoami?via=route') });
      expectSameAnswer(fast, routed);
      expect(fast.json).toMatchObject({ credentialType: 'http_signature', clientId: keyId });

      const replay = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers });
      expect(replay.status).toBe(401);
      expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(replay.headers.get('www-authenticate')).toContain('Signature realm="rekey"');
      expect(replay.json).toMatchObject({ code: 'replayed_nonce', scope: 'whoami' });
      expect(replay.json.requestId).toMatch(/^req_/);
    });

    it('claims each nonce of concurrent requests once: of 20 copies of 10 requests, 10 answer 200', async () => {
      const requests = Array.from({ length: 10 }, () => signed('/v1/whoami'));
      const answers = await Promise.all(
        requests.flatMap((headers) => Array.from({ length: 20 }, () => send(rekey.url, 'GET', '/v1/whoami', { token: null, headers }))),
      );
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(10);
      expect(answers.filter((answer) => answer.status === 401 && answer.json.code === 'replayed_nonce')).toHaveLength(190);
    });
  });

  it('OAuth 1.0a: answers what the route answers, and refuses a replay with the route problem', async () => {
    const client = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Fast path' } })).json;
    const issued = (
      await rekey.request('POST', `/v1/clients/${client.id}/tokens`, { body: { memberId: rekey.main.memberId, role: 'Administrator' } })
    ).json;
    const header = (path: string): string =>
      buildOAuthHeader({
        consumerKey: client.consumerKey,
        consumerSecret: client.consumerSecret,
        token: issued.tokenId,
        tokenSecret: issued.tokenSecret,
        method: 'GET',
        url: rekey.config.publicUrl + path,
        realm: rekey.main.accountId,
      });
    const authorization = header('/v1/whoami');
    const fast = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization } });
    const routed = await send(rekey.url, 'GET', '/v1/whoami?via=route', {
      token: null,
      headers: { authorization: header('/v1/whoami?via=route') },
    });
    expectSameAnswer(fast, routed);
    expect(fast.json).toMatchObject({ credentialType: 'oauth1', clientId: client.id, role: 'Administrator' });

    const replay = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization } });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toBe(`OAuth realm="${rekey.main.accountId}"`);
    expect(replay.json).toMatchObject({ code: 'replayed_nonce', realm: rekey.main.accountId });
  });

  it('Bearer: answers what the route answers; a tampered token gets the route problem', async () => {
    const client = await createOAuthClient(rekey);
    const token = await issueToken(rekey, client);
    const headers = { authorization: `Bearer ${token}` };
    expectSameAnswer(
      await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers }),
      await send(rekey.url, 'GET', '/v1/whoami?via=route', { token: null, headers }),
    );
    const [h, p, s] = token.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, 5)}${s[5] === 'A' ? 'B' : 'A'}${s.slice(6)}`;
    const refused = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization: `Bearer ${tampered}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="rekey", error="invalid_token"/);
    expect(refused.json).toMatchObject({ code: 'bad_signature' });
  });
});
