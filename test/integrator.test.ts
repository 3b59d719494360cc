import { createHmac, randomBytes } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeContentDigest, signedFetch, signRequest } from '@rekey/sdk';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = async (response: Response): Promise<any> => JSON.parse(await response.text());

/** Signs with the independent http-message-signatures package: its default parameters plus a nonce. */
async function signWithLibrary(
  clientId: string,
  secret: string,
  request: { method: string; url: string; headers: Record<string, string>; body?: string },
): Promise<Record<string, string>> {
  const headers = { ...request.headers };
  const fields = ['@method', '@target-uri'];
  if (request.body !== undefined) {
    headers['content-digest'] = await computeContentDigest(request.body);
    fields.push('content-digest', 'content-type');
  }
  const signed = await httpbis.signMessage(
    {
      key: {
        id: clientId,
        alg: 'hmac-sha256',
        sign: async (data: Buffer) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(data).digest(),
      },
      fields,
      params: ['created', 'expires', 'keyid', 'alg', 'nonce'],
      paramValues: { nonce: randomBytes(12).toString('base64url') },
    },
    { method: request.method, url: request.url, headers },
  );
  return signed.headers as Record<string, string>;
}

/** What a refused rotation must not change: the versions and their states (usage counters flush on their own every few seconds). */
const versionStates = (client: { versions: Array<{ versionId: string; state: string }> }) =>
  client.versions.map(({ versionId, state }) => ({ versionId, state }));

describe.each(STORE_KINDS)('integrator profile (%s)', (kind) => {
  let rekey: Rekey;
  let clientId: string;
  let secret: string;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'integrator', name: 'Partner integration' } });
    expect(created.status).toBe(201);
    clientId = created.json.id;
    secret = created.json.secret;
  });
  afterAll(async () => {
    await rekey.close();
  });

  const whoamiWith = async (useSecret: string) => {
    const url = `${rekey.url}/v1/whoami`;
    const headers = await signWithLibrary(clientId, useSecret, { method: 'GET', url, headers: {} });
    const response = await fetch(url, { headers });
    return { status: response.status, headers: response.headers, json: JSON.parse(await response.text()) };
  };

  const regenerate = async (useSecret: string, body: unknown) => {
    const url = `${rekey.url}/v1/integrator/regenerate-secret`;
    const text = JSON.stringify(body);
    const headers = await signWithLibrary(clientId, useSecret, {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    const response = await fetch(url, { method: 'POST', headers, body: text });
    return { status: response.status, headers: response.headers, json: JSON.parse(await response.text()) };
  };

  it('accepts a request signed by http-message-signatures', async () => {
    const response = await whoamiWith(secret);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      credentialType: 'http_signature',
      accountId: 'acme1',
      clientId,
      profile: 'integrator',
      versionId: expect.stringMatching(/^ver_/),
    });
  });

  it('rotates with a grace period, then without one (seed 003)', async () => {
    const before = Date.now();
    const graced = await regenerate(secret, { oldSecretValidForSeconds: 60 });
    expect(graced.status).toBe(200);
    expect(Object.keys(graced.json).sort()).toEqual(['oldSecretExpiresAt', 'secret']);
    const expiresIn = Date.parse(graced.json.oldSecretExpiresAt) - before;
    expect(expiresIn).toBeGreaterThan(59_000);
    expect(expiresIn).toBeLessThan(62_000);
    expect((await whoamiWith(secret)).status).toBe(200);
    expect((await whoamiWith(graced.json.secret)).status).toBe(200);

    // A previous version may not rotate the integration.
    const byPrevious = await regenerate(secret, {});
    expect(byPrevious.status).toBe(401);

    const immediate = await regenerate(graced.json.secret, { oldSecretValidForSeconds: 0 });
    expect(immediate.status).toBe(200);
    expect(Object.keys(immediate.json)).toEqual(['secret']);
    const refused = await whoamiWith(graced.json.secret);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('www-authenticate')).toBeTruthy();
    expect(refused.json).toMatchObject({ status: 401, code: 'stale_secret', realm: expect.any(String), scope: expect.any(String) });
    expect((await whoamiWith(immediate.json.secret)).status).toBe(200);
    secret = immediate.json.secret;
  });

  it('answers 401 on the integrator endpoint with realm "integrator" and scope "integrator.secret"', async () => {
    const response = await fetch(`${rekey.url}/v1/integrator/regenerate-secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('realm="integrator"');
    expect(await jsonOf(response)).toMatchObject({ realm: 'integrator', scope: 'integrator.secret', code: 'unauthenticated' });
  });

  it('answers 404 naming the keyid when it names no integrator', async () => {
    const response = await signedFetch({ clientId: 'cli_doesNotExist000000000', secret }, `${rekey.url}/v1/integrator/regenerate-secret`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(await jsonOf(response)).toMatchObject({
      code: 'not_found',
      resourceType: 'integrator',
      resourceId: 'cli_doesNotExist000000000',
    });
  });

  it.each([
    ['-1', '{"oldSecretValidForSeconds":-1}', 400],
    ['3601', '{"oldSecretValidForSeconds":3601}', 400],
    ['1.5', '{"oldSecretValidForSeconds":1.5}', 400],
    ['"60"', '{"oldSecretValidForSeconds":"60"}', 400],
    ['{}', '{"oldSecretValidForSeconds":{}}', 400],
    ['1e309', '{"oldSecretValidForSeconds":1e309}', 400],
    ['an unknown field', '{"oldSecretValidForSeconds":0,"extra":1}', 400],
    ['a non-JSON body', 'oldSecretValidForSeconds=60', 400],
  ])('refuses %s with a problem and changes nothing', async (_label, body, status) => {
    const before = await rekey.request('GET', `/v1/clients/${clientId}`);
    const response = await signedFetch({ clientId, secret }, `${rekey.url}/v1/integrator/regenerate-secret`, { method: 'POST', body });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await jsonOf(response);
    expect(problem.code).toBe('invalid_request');
    if (body.startsWith('{'))
      expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toContain(
        body.includes('extra') ? '/extra' : '/oldSecretValidForSeconds',
      );
    const after = await rekey.request('GET', `/v1/clients/${clientId}`);
    expect(versionStates(after.json)).toEqual(versionStates(before.json));
  });

  it('refuses a 2 MB body with 413 and changes nothing', async () => {
    const before = await rekey.request('GET', `/v1/clients/${clientId}`);
    const body = JSON.stringify({ oldSecretValidForSeconds: 0, pad: 'x'.repeat(2 * 1024 * 1024) });
    const response = await signedFetch({ clientId, secret }, `${rekey.url}/v1/integrator/regenerate-secret`, { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(await jsonOf(response)).toMatchObject({ code: 'payload_too_large', status: 413 });
    const after = await rekey.request('GET', `/v1/clients/${clientId}`);
    expect(versionStates(after.json)).toEqual(versionStates(before.json));
  });

  it('treats an empty body as {} (zero grace)', async () => {
    const response = await signedFetch({ clientId, secret }, `${rekey.url}/v1/integrator/regenerate-secret`, { method: 'POST', body: '' });
    expect(response.status).toBe(200);
    const json = await jsonOf(response);
    expect(Object.keys(json)).toEqual(['secret']);
    secret = json.secret;
  });

  it('refuses replayed nonces, stale timestamps, tampered bodies and wrong secrets', async () => {
    const url = `${rekey.url}/v1/whoami`;
    const headers = await signWithLibrary(clientId, secret, { method: 'GET', url, headers: {} });
    expect((await fetch(url, { headers })).status).toBe(200);
    const replay = await fetch(url, { headers });
    expect(replay.status).toBe(401);
    expect((await jsonOf(replay)).code).toBe('replayed_nonce');

    const old = await signedFetch({ clientId, secret }, url, {});
    expect(old.status).toBe(200);

    const stale = await signRequest({
      method: 'GET',
      url,
      headers: {},
      keyId: clientId,
      secret,
      nonce: 'n-stale-1',
      created: Math.floor(Date.now() / 1000) - 301,
    });
    const staleResponse = await fetch(url, { headers: stale });
    expect((await jsonOf(staleResponse)).code).toBe('timestamp_out_of_window');

    const body = '{"a":1}';
    const signed = await signRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body,
      keyId: clientId,
      secret,
      nonce: 'n-tamper-1',
    });
    const tampered = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: '{"a":2}' });
    expect((await jsonOf(tampered)).code).toBe('digest_mismatch');

    const wrong = await signedFetch(
      { clientId, secret: secret.replace(/^rk_sec_./, (head) => (head.endsWith('Z') ? 'rk_sec_Y' : 'rk_sec_Z')) },
      url,
      {},
    );
    expect(wrong.status).toBe(401);
    expect((await jsonOf(wrong)).code).toBe('bad_signature');
  });

  // Issue 14 (found by the fuzz): a signed body dropped in transit (Content-Length: 0, the signed
  // Content-Digest kept) verified, and the rotation ran with the defaults instead of the signed body.
  it('refuses a signed request whose body was dropped: the covered Content-Digest is compared with the empty body', async () => {
    const before = await rekey.request('GET', `/v1/clients/${clientId}`);
    const url = `${rekey.url}/v1/integrator/regenerate-secret`;
    const signed = await signRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: '{"oldSecretValidForSeconds":60}',
      keyId: clientId,
      secret,
    });
    const dropped = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: '' });
    expect(dropped.status).toBe(401);
    expect((await jsonOf(dropped)).code).toBe('digest_mismatch');
    const after = await rekey.request('GET', `/v1/clients/${clientId}`);
    expect(versionStates(after.json)).toEqual(versionStates(before.json));
  });

  it('never accepts an integrator secret as Basic', async () => {
    const basic = Buffer.from(`${clientId}:${secret}`).toString('base64');
    const response = await rekey.request('GET', '/v1/whoami', { token: null, headers: { authorization: `Basic ${basic}` } });
    expect(response.status).toBe(401);
    expect(response.json.detail).toBe('An integrator client cannot authenticate this way.');
  });

  it('audits each self-rotation and queues a notice to the administrators', async () => {
    const audit = await rekey.request('GET', `/v1/audit?type=secret.regenerated&clientId=${clientId}`);
    expect(audit.json.items.length).toBeGreaterThanOrEqual(3);
    expect(audit.json.items[0].actor).toEqual({ type: 'client', id: clientId });
    const outbox = await rekey.request('GET', '/v1/outbox?type=secret.regenerated');
    expect(outbox.json.items.length).toBeGreaterThanOrEqual(3);
    expect(outbox.json.items[0]).toMatchObject({ channel: 'email', status: 'pending', attempts: 0 });
  });
});
