import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OAuth from 'oauth-1.0a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

/**
 * Real OAuth 1.0a clients against a running Rekey: npm `oauth-1.0a` and Debian
 * `python3-requests-oauthlib` (installed by .ci/run), on GET /v1/whoami with a query string and
 * POST /v1/whoami with a form body.
 */

const run = promisify(execFile);
const PYTHON_HELPER = fileURLToPath(new URL('./interop/oauth1_request.py', import.meta.url));

interface Pair {
  key: string;
  secret: string;
}
interface Signed {
  consumer: Pair;
  token: Pair;
  realm: string;
}

/** npm oauth-1.0a: returns the response to a signed request. */
async function nodeRequest(
  rekey: Rekey,
  method: 'GET' | 'POST',
  path: string,
  creds: Signed,
  options: { form?: Record<string, string>; nonce?: string; timestamp?: number } = {},
): Promise<TestResponse & { authorization: string }> {
  const oauth = new OAuth({
    consumer: creds.consumer,
    signature_method: 'HMAC-SHA256',
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    realm: creds.realm,
  });
  if (options.nonce !== undefined) oauth.getNonce = () => options.nonce!;
  if (options.timestamp !== undefined) oauth.getTimeStamp = () => options.timestamp!;
  // oauth-1.0a adds the query parameters to the data object it is given: hand it a copy.
  const data = oauth.authorize({ url: rekey.url + path, method, ...(options.form ? { data: { ...options.form } } : {}) }, creds.token);
  const authorization = oauth.toHeader(data).Authorization;
  const response = await send(rekey.url, method, path, {
    token: null,
    headers: { authorization, ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(options.form ? { rawBody: new URLSearchParams(options.form).toString() } : {}),
  });
  return { ...response, authorization };
}

interface PythonResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  authorization: string;
  json: any;
}

async function pythonRequest(
  rekey: Rekey,
  method: 'GET' | 'POST',
  path: string,
  creds: Signed,
  options: { form?: Array<[string, string]>; json?: unknown; nonce?: string; timestamp?: number } = {},
): Promise<PythonResponse> {
  const spec = {
    url: rekey.url + path,
    method,
    consumerKey: creds.consumer.key,
    consumerSecret: creds.consumer.secret,
    token: creds.token.key,
    tokenSecret: creds.token.secret,
    realm: creds.realm,
    ...(options.form ? { form: options.form } : {}),
    ...(options.json !== undefined ? { json: options.json } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  };
  const { stdout } = await run('/usr/bin/python3', [PYTHON_HELPER, JSON.stringify(spec)], { timeout: 20_000 });
  const parsed = JSON.parse(stdout) as Omit<PythonResponse, 'json'>;
  let json: unknown;
  try {
    json = JSON.parse(parsed.body);
  } catch {
    json = undefined;
  }
  return { ...parsed, json };
}

describe.each(STORE_KINDS)('OAuth 1.0a interop with real clients (%s)', (kind) => {
  let rekey: Rekey;
  let clientId: string;
  let consumer: Pair;
  let token: Pair;
  const creds = (): Signed => ({ consumer, token, realm: 'acme1' });

  beforeAll(async () => {
    rekey = await startRekey(kind);
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Warehouse sync' } });
    expect(created.status).toBe(201);
    clientId = created.json.id;
    consumer = { key: created.json.consumerKey, secret: created.json.consumerSecret };
    const issued = await rekey.request('POST', `/v1/clients/${clientId}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    expect(issued.status).toBe(201);
    token = { key: issued.json.tokenId, secret: issued.json.tokenSecret };
  });
  afterAll(async () => {
    await rekey.close();
  });

  const identity = (extra: Record<string, unknown> = {}) => ({
    credentialType: 'oauth1',
    accountId: 'acme1',
    clientId,
    profile: 'tba',
    memberId: rekey.main.memberId,
    role: 'Administrator',
    versionId: expect.stringMatching(/^ver_/),
    ...extra,
  });

  it('npm oauth-1.0a: GET with a query string and POST with a form body', async () => {
    const get = await nodeRequest(rekey, 'GET', '/v1/whoami?b=2&a=1&a=0&note=caf%C3%A9%20au%20lait', creds());
    expect(get.status, get.text).toBe(200);
    expect(get.json).toEqual(identity());
    const post = await nodeRequest(rekey, 'POST', '/v1/whoami?z=last', creds(), {
      form: { name: 'Ada Lovelace', city: 'Zürich', symbols: "it's!*()~" },
    });
    expect(post.status, post.text).toBe(200);
    expect(post.json).toEqual(identity());
  });

  it('python requests-oauthlib: GET with a query string and POST with a form body', async () => {
    const get = await pythonRequest(rekey, 'GET', '/v1/whoami?q=a%2Bb&q=x&sp=a+b', creds());
    expect(get.status, get.body).toBe(200);
    expect(get.json).toEqual(identity());
    expect(get.authorization).toContain('realm="acme1"');
    const post = await pythonRequest(rekey, 'POST', '/v1/whoami', creds(), {
      form: [
        ['name', 'Ada Lovelace'],
        ['city', 'Zürich'],
        ['empty', ''],
      ],
    });
    expect(post.status, post.body).toBe(200);
    expect(post.json).toEqual(identity());
  });

  it('python requests-oauthlib: a JSON body is covered by its oauth_body_hash; another body is refused before the nonce is spent', async () => {
    const post = await pythonRequest(rekey, 'POST', '/v1/whoami', creds(), { json: { amount: 10, note: 'café' } });
    expect(post.status, post.body).toBe(200);
    expect(post.json).toEqual(identity());
    expect(post.authorization).toContain('oauth_body_hash=');
    const replayedElsewhere = await send(rekey.url, 'POST', '/v1/whoami', {
      token: null,
      headers: { authorization: post.authorization, 'content-type': 'application/json' },
      rawBody: JSON.stringify({ amount: 1000, note: 'café' }),
    });
    expect(replayedElsewhere.status).toBe(401);
    expect(replayedElsewhere.json.code).toBe('digest_mismatch');
    expect(replayedElsewhere.headers.get('www-authenticate')).toBe('OAuth realm="acme1"');
  });

  it('oauth_body_hash: SHA-256 accepted, a wrong or odd-length hash refused, never beside a form body', async () => {
    const body = JSON.stringify({ amount: 10 });
    const sign = (bodyHash: string) =>
      buildOAuthHeader({
        consumerKey: consumer.key,
        consumerSecret: consumer.secret,
        token: token.key,
        tokenSecret: token.secret,
        method: 'POST',
        url: `${rekey.url}/v1/whoami`,
        realm: 'acme1',
        bodyHash,
      });
    const post = (bodyHash: string, rawBody = body, contentType = 'application/json') =>
      send(rekey.url, 'POST', '/v1/whoami', {
        token: null,
        headers: { authorization: sign(bodyHash), 'content-type': contentType },
        rawBody,
      });
    expect((await post(createHash('sha256').update(body).digest('base64'))).status).toBe(200);
    expect((await post(createHash('sha1').update(body).digest('base64'))).status).toBe(200);
    expect((await post(createHash('sha256').update('{}').digest('base64'))).json.code).toBe('digest_mismatch');
    expect((await post('AAAA')).json.code).toBe('digest_mismatch');
    const empty = createHash('sha256').update('').digest('base64');
    expect((await send(rekey.url, 'POST', '/v1/whoami', { token: null, headers: { authorization: sign(empty) } })).status).toBe(200);
    const withForm = await post(createHash('sha256').update('a=1').digest('base64'), 'a=1', 'application/x-www-form-urlencoded');
    expect(withForm.status).toBe(400);
    expect(withForm.json.code).toBe('invalid_request');
  });

  it('a tampered form body fails the signature (the body is signed)', async () => {
    const signedFor = await nodeRequest(rekey, 'POST', '/v1/whoami', creds(), { form: { amount: '10' } });
    expect(signedFor.status).toBe(200);
    const oauth = new OAuth({
      consumer,
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
      realm: 'acme1',
    });
    const header = oauth.toHeader(
      oauth.authorize({ url: `${rekey.url}/v1/whoami`, method: 'POST', data: { amount: '10' } }, token),
    ).Authorization;
    const tampered = await send(rekey.url, 'POST', '/v1/whoami', {
      token: null,
      headers: { authorization: header, 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: 'amount=1000',
    });
    expect(tampered.status).toBe(401);
    expect(tampered.json.code).toBe('bad_signature');
    expect(tampered.headers.get('www-authenticate')).toBe('OAuth realm="acme1"');
  });

  it('a replayed nonce is refused with 401 and an OAuth challenge', async () => {
    const first = await nodeRequest(rekey, 'GET', '/v1/whoami', creds());
    expect(first.status).toBe(200);
    const replay = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization: first.authorization } });
    expect(replay.status).toBe(401);
    expect(replay.json.code).toBe('replayed_nonce');
    expect(replay.headers.get('www-authenticate')).toBe('OAuth realm="acme1"');

    const nonce = randomBytes(8).toString('hex');
    expect((await pythonRequest(rekey, 'GET', '/v1/whoami', creds(), { nonce })).status).toBe(200);
    const pythonReplay = await pythonRequest(rekey, 'GET', '/v1/whoami', creds(), { nonce });
    expect(pythonReplay.status).toBe(401);
    expect(pythonReplay.json.code).toBe('replayed_nonce');
  });

  it('a stale timestamp is refused with 401', async () => {
    const stale = Math.floor(Date.now() / 1000) - 1000;
    const python = await pythonRequest(rekey, 'GET', '/v1/whoami', creds(), { timestamp: stale });
    expect(python.status).toBe(401);
    expect(python.json.code).toBe('timestamp_out_of_window');
    expect(python.headers['www-authenticate']).toBe('OAuth realm="acme1"');
    const node = await nodeRequest(rekey, 'GET', '/v1/whoami', creds(), { timestamp: Math.floor(Date.now() / 1000) + 400 });
    expect(node.status).toBe(401);
    expect(node.json.code).toBe('timestamp_out_of_window');
  });

  it('the realm of another account is refused with 401', async () => {
    const node = await nodeRequest(rekey, 'GET', '/v1/whoami', { ...creds(), realm: 'other2' });
    expect(node.status).toBe(401);
    expect(node.headers.get('www-authenticate')).toBe('OAuth realm="other2"');
    const python = await pythonRequest(rekey, 'GET', '/v1/whoami', { ...creds(), realm: 'other2' });
    expect(python.status).toBe(401);
  });

  it('reset: the old consumer pair is refused at once; the same token works with the new pair', async () => {
    const before = await pythonRequest(rekey, 'GET', '/v1/whoami', creds());
    expect(before.status).toBe(200);
    const reset = await rekey.request('POST', `/v1/clients/${clientId}/reset`, { body: {} });
    expect(reset.status).toBe(200);
    expect(Object.keys(reset.json).sort()).toEqual(['consumerKey', 'consumerSecret']);
    const old = consumer;
    consumer = { key: reset.json.consumerKey, secret: reset.json.consumerSecret };
    expect(consumer.key).not.toBe(old.key);

    const oldNode = await nodeRequest(rekey, 'GET', '/v1/whoami', { ...creds(), consumer: old });
    expect(oldNode.status).toBe(401);
    expect(oldNode.json.code).toBe('stale_secret');
    const oldPython = await pythonRequest(rekey, 'POST', '/v1/whoami', { ...creds(), consumer: old }, { form: [['a', '1']] });
    expect(oldPython.status).toBe(401);
    // The new key with the old secret is no pair either.
    const mixed = await nodeRequest(rekey, 'GET', '/v1/whoami', { ...creds(), consumer: { key: consumer.key, secret: old.secret } });
    expect(mixed.status).toBe(401);
    expect(mixed.json.code).toBe('stale_secret');

    const newNode = await nodeRequest(rekey, 'GET', '/v1/whoami?after=reset', creds());
    expect(newNode.status, newNode.text).toBe(200);
    expect(newNode.json).toEqual(identity({ versionId: expect.not.stringMatching(before.json.versionId) }));
    const newPython = await pythonRequest(rekey, 'POST', '/v1/whoami', creds(), { form: [['a', '1']] });
    expect(newPython.status, newPython.body).toBe(200);
  });

  it("a bundle installer's token works with the owner's consumer pair and its own realm, also after the owner resets", async () => {
    const published = await rekey.request('POST', `/v1/clients/${clientId}/bundles`, { body: {} });
    expect(published.status).toBe(201);
    const installed = await rekey.request('POST', `/v1/bundles/${published.json.bundleId}/install`, { token: rekey.other.token, body: {} });
    expect(installed.status).toBe(201);
    expect(installed.json).toMatchObject({ accountId: 'other2', profile: 'tba', consumerKey: consumer.key, ownerAccountId: 'acme1' });
    expect(JSON.stringify(installed.json)).not.toContain(consumer.secret);
    const installationId = installed.json.id as string;
    const issued = await rekey.request('POST', `/v1/clients/${installationId}/tokens`, {
      token: rekey.other.token,
      body: { memberId: rekey.other.memberId, role: 'Administrator' },
    });
    expect(issued.status).toBe(201);
    const installer: Signed = { consumer, token: { key: issued.json.tokenId, secret: issued.json.tokenSecret }, realm: 'other2' };

    const node = await nodeRequest(rekey, 'GET', '/v1/whoami?from=installer', installer);
    expect(node.status, node.text).toBe(200);
    expect(node.json).toMatchObject({
      credentialType: 'oauth1',
      accountId: 'other2',
      clientId: installationId,
      memberId: rekey.other.memberId,
      role: 'Administrator',
    });
    const python = await pythonRequest(rekey, 'POST', '/v1/whoami', installer, { form: [['x', 'y']] });
    expect(python.status, python.body).toBe(200);
    // The owner's realm is not the installer's token's realm.
    expect((await nodeRequest(rekey, 'GET', '/v1/whoami', { ...installer, realm: 'acme1' })).status).toBe(401);

    // Only the owner resets; the reset reaches the installation.
    const refused = await rekey.request('POST', `/v1/clients/${installationId}/reset`, { token: rekey.other.token, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'bundle_managed', ownerAccountId: 'acme1' });
    const reset = await rekey.request('POST', `/v1/clients/${clientId}/reset`, { body: {} });
    expect(reset.status).toBe(200);
    const old = installer.consumer;
    consumer = { key: reset.json.consumerKey, secret: reset.json.consumerSecret };
    installer.consumer = consumer;

    expect((await nodeRequest(rekey, 'GET', '/v1/whoami', { ...installer, consumer: old })).status).toBe(401);
    expect((await pythonRequest(rekey, 'GET', '/v1/whoami', { ...installer, consumer: old })).status).toBe(401);
    const after = await pythonRequest(rekey, 'GET', '/v1/whoami?after=owner-reset', installer);
    expect(after.status, after.body).toBe(200);
    expect(after.json).toMatchObject({ accountId: 'other2', clientId: installationId });
    const afterNode = await nodeRequest(rekey, 'POST', '/v1/whoami', installer, { form: { x: 'y' } });
    expect(afterNode.status, afterNode.text).toBe(200);

    // The installer sees the owner's new consumer key on its record, and was told.
    const record = await rekey.request('GET', `/v1/clients/${installationId}`, { token: rekey.other.token });
    expect(record.json.consumerKey).toBe(consumer.key);
    const outbox = await rekey.request('GET', '/v1/outbox?type=bundle.reset', { token: rekey.other.token });
    expect(outbox.json.items.length).toBeGreaterThanOrEqual(1);
  });
});
