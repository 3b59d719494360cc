import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCredential } from '../src/core/kernel/credential-format.js';
import { cryptoRandom } from '../src/core/kernel/random.js';
import type { OutboxMessage } from '../src/core/notify/outbox-message.js';
import { startOutboxWorker, type OutboxWorker } from '../src/mail/outbox-worker.js';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { basic, eventually, limitedToken } from './support/key-accounts.js';
import { createTestSmtpServer, createWebhookReceiver, waitFor, type TestSmtpServer, type TestWebhookReceiver } from './support/portal.js';
import { startSecondNode, type SecondNode } from './support/second-node.js';
import { STORE_KINDS } from './support/stores.js';

const FAST_RETRY = { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 1000 };
// GitHub's key ids are hex digests; any visible ASCII id works.
const KEY_ID = '90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a';
const THROTTLED_KEY_ID = 'throttled-scanner';
const SECRET_SHAPE = /rk_(sec|tok|adm|app|op)_[0-9A-Za-z]{49}/;
const GITHUB_URL = 'https://github.com/octocat/Hello-World/blob/12345600b9cbe38a219f39a9941c9319b600c002/foo/bar.txt';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function newKeyPair(): { privateKey: KeyObject; publicPem: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Leaked-secret reports (SPEC §12): GitHub's secret-scanning partner format; revocation reaches every node (SPEC §9). */
describe.each(STORE_KINDS)('leaked-secret reports (%s)', (kind) => {
  const reporter = newKeyPair();
  const throttled = newKeyPair();
  const keysDir = mkdtempSync(join(tmpdir(), 'rekey-leak-keys-'));
  const keysFile = join(keysDir, 'leak-reporter-keys.json');
  let rekey: Rekey;
  let nodeB: SecondNode;
  let smtp: TestSmtpServer;
  let receiver: TestWebhookReceiver;
  let worker: OutboxWorker;

  /** A report exactly as GitHub sends it: the raw JSON body signed with ECDSA P-256 / SHA-256, DER in base64. */
  const report = (
    body: string | Buffer,
    options: { keyId?: string; key?: KeyObject; signature?: string; url?: string } = {},
  ): Promise<TestResponse> => {
    const raw = typeof body === 'string' ? Buffer.from(body) : body;
    const signature =
      options.signature ?? sign('sha256', raw, { key: options.key ?? reporter.privateKey, dsaEncoding: 'der' }).toString('base64');
    return send(options.url ?? rekey.url, 'POST', '/v1/leaks', {
      token: null,
      rawBody: raw,
      headers: {
        Accept: '*/*',
        'Content-Type': 'application/json',
        'GITHUB-PUBLIC-KEY-IDENTIFIER': options.keyId ?? KEY_ID,
        'GITHUB-PUBLIC-KEY-SIGNATURE': signature,
      },
    });
  };
  const match = (token: string, url = GITHUB_URL) => ({ token, type: 'rekey_secret', url, source: 'content' });
  const createClient = async (profile: string, name: string): Promise<{ id: string; secret: string; versionId: string }> => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile, name } });
    expect(created.status, created.text).toBe(201);
    return { id: created.json.id, secret: created.json.secret, versionId: created.json.versionId };
  };
  const whoamiOn = (url: string, id: string, secret: string): Promise<TestResponse> =>
    send(url, 'GET', '/v1/whoami', { token: null, headers: { authorization: basic(id, secret) } });
  const leakMessages = async (): Promise<OutboxMessage[]> =>
    (await rekey.runtime.core.store.listOutbox('acme1', { limit: 500 })).filter((message) => message.type === 'secret.leaked');
  /** What a report changes: leak audit events and the outbox (aggregated auth.failed rows land on their own schedule). */
  const footprint = async (): Promise<string> => {
    const newest = await rekey.request('GET', '/v1/audit?type=secret.leaked&limit=1');
    const outbox = await rekey.runtime.core.store.listOutbox('acme1', { limit: 500 });
    return JSON.stringify([newest.json.items[0]?.id, outbox.length]);
  };
  const expectProblem = (response: TestResponse, status: number, code?: string): void => {
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    if (code !== undefined) expect(response.json.code).toBe(code);
  };

  beforeAll(async () => {
    writeFileSync(
      keysFile,
      JSON.stringify([
        { id: KEY_ID, publicKey: reporter.publicPem },
        { id: THROTTLED_KEY_ID, publicKey: throttled.publicPem },
      ]),
    );
    smtp = await createTestSmtpServer();
    await smtp.start();
    receiver = await createWebhookReceiver();
    rekey = await startRekey(kind, {
      env: { REKEY_SMTP_URL: smtp.url, REKEY_WEBHOOK_ALLOW: '127.0.0.1', REKEY_LEAK_REPORTER_KEYS_FILE: keysFile },
    });
    worker = startOutboxWorker(rekey.runtime.core, rekey.config, { pollMs: 50, retry: FAST_RETRY });
    const hook = await rekey.request('POST', '/v1/webhooks', { body: { url: `${receiver.url}/leaks`, events: ['secret.leaked'] } });
    expect(hook.status, hook.text).toBe(201);
    nodeB = await startSecondNode(rekey);
  });
  afterAll(async () => {
    await worker?.stop();
    await nodeB?.stop();
    await rekey?.close();
    await receiver?.close();
    await smtp?.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it("GitHub's exact request revokes a live secret at once: a second node refuses it; mail and webhook secret.leaked go out once", async () => {
    const client = await createClient('oauth', 'Leaky');
    // Node B serves the secret from memory before the report.
    expect((await whoamiOn(nodeB.url, client.id, client.secret)).status).toBe(200);

    // The partner programme's request: headers and body fields exactly, several matches in one message.
    const noise = 'NMIfyYncKcRALEXAMPLE';
    const body = JSON.stringify([match(client.secret), { token: noise, type: 'mycompany_api_token', url: GITHUB_URL, source: 'content' }]);
    const answer = await report(body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.json).toEqual([
      { token_hash: sha256(client.secret), token_type: 'rekey_secret', label: 'true_positive' },
      { token_hash: sha256(noise), token_type: 'mycompany_api_token', label: 'false_positive' },
    ]);
    expect(answer.text).not.toContain(client.secret);
    expect(answer.text).not.toContain(client.id);

    // Revoked on this node at once, and on node B within SPEC §9's bound (polled, not timed here).
    const here = await whoamiOn(rekey.url, client.id, client.secret);
    expect(here.status).toBe(401);
    expect(here.json.code).toBe('revoked');
    const there = await eventually(
      () => whoamiOn(nodeB.url, client.id, client.secret),
      (response) => response.status === 401,
      5000,
    );
    expect(there.json.code).toBe('revoked');
    const view = await rekey.request('GET', `/v1/clients/${client.id}`);
    expect(view.json.versions.find((version: { versionId: string }) => version.versionId === client.versionId).state).toBe('revoked');

    // Audited with the URL, never the secret.
    const audit = await rekey.request('GET', `/v1/audit?type=secret.leaked&clientId=${client.id}`);
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0]).toMatchObject({
      actor: { type: 'leak_reporter', id: KEY_ID },
      versionId: client.versionId,
      data: { url: GITHUB_URL, source: 'content', credentialType: 'secret', outcome: 'revoked' },
    });
    expect(JSON.stringify(audit.json)).not.toMatch(SECRET_SHAPE);

    // One mail per administrator and one webhook, naming the URL and never the secret.
    const queued = (await leakMessages()).filter((message) => message.payload.clientId === client.id);
    expect(queued.map((message) => message.channel).sort()).toEqual(['email', 'webhook']);
    const mail = await waitFor('the leak email', () =>
      smtp.received.find((received) => received.subject === 'Leaked secret revoked for Leaky'),
    );
    expect(mail.to).toEqual(['admin@acme.test']);
    expect(mail.text).toContain(GITHUB_URL);
    expect(mail.text).toContain(client.versionId);
    expect(mail.raw).not.toMatch(SECRET_SHAPE);
    const delivery = await waitFor('the secret.leaked webhook', () =>
      receiver.received.find((received) => received.body.includes(client.id) && received.path === '/leaks'),
    );
    const event = JSON.parse(delivery.body);
    expect(event).toMatchObject({
      type: 'secret.leaked',
      data: { accountId: 'acme1', clientId: client.id, url: GITHUB_URL, source: 'content' },
    });
    expect(delivery.body).not.toMatch(SECRET_SHAPE);

    // Reported again: already revoked, so only recorded — no second revocation or notification.
    const again = await report(JSON.stringify([match(client.secret)]));
    expect(again.json).toEqual([{ token_hash: sha256(client.secret), token_type: 'rekey_secret', label: 'true_positive' }]);
    const recorded = await rekey.request('GET', `/v1/audit?type=secret.leaked&clientId=${client.id}`);
    expect(recorded.json.items.map((item: { data: { outcome: string } }) => item.data.outcome).sort()).toEqual(['recorded', 'revoked']);
    await waitFor('outbox delivered', async () => (await leakMessages()).every((message) => message.status === 'sent'));
    expect((await leakMessages()).filter((message) => message.payload.clientId === client.id)).toHaveLength(2);
    expect(smtp.received.filter((received) => received.subject === 'Leaked secret revoked for Leaky')).toHaveLength(1);
    expect(receiver.received.filter((received) => received.body.includes(client.id))).toHaveLength(1);
  });

  it('a retired version is only recorded; the current secret keeps working', async () => {
    const client = await createClient('oauth', 'Rotated');
    const rotated = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: {} });
    expect(rotated.status).toBe(200);
    const before = (await leakMessages()).length;
    const answer = await report(JSON.stringify([match(client.secret)]));
    expect(answer.json[0].label).toBe('true_positive');
    expect((await whoamiOn(rekey.url, client.id, rotated.json.secret)).status).toBe(200);
    expect((await whoamiOn(rekey.url, client.id, client.secret)).json.code).toBe('stale_secret');
    const audit = await rekey.request('GET', `/v1/audit?type=secret.leaked&clientId=${client.id}`);
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0].data).toMatchObject({ outcome: 'recorded', state: 'retired' });
    expect((await leakMessages()).length).toBe(before);
  });

  it('an unknown well-formed secret and noise are false_positive, before or without any change', async () => {
    const client = await createClient('apikey', 'Untouched');
    const before = await footprint();
    const unknown = generateCredential('secret', cryptoRandom);
    const badChecksum = client.secret.slice(0, -1) + (client.secret.endsWith('0') ? '1' : '0');
    const answer = await report(JSON.stringify([match(unknown), match(badChecksum), match('rk_sec_short'), match('')]));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json.map((verdict: { label: string }) => verdict.label)).toEqual([
      'false_positive',
      'false_positive',
      'false_positive',
      'false_positive',
    ]);
    expect(answer.json[0].token_hash).toBe(sha256(unknown));
    expect(await footprint()).toBe(before);
    expect((await whoamiOn(rekey.url, client.id, client.secret)).status).toBe(200);
  });

  it('refuses unsigned, badly signed, unknown-key, oversized and malformed reports with a problem, changing nothing', async () => {
    const client = await createClient('apikey', 'Guarded');
    const body = JSON.stringify([match(client.secret)]);
    const before = await footprint();

    const unsigned = await send(rekey.url, 'POST', '/v1/leaks', {
      token: null,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(unsigned, 401, 'unauthenticated');
    expect(unsigned.headers.get('www-authenticate')).toBeTruthy();
    const stranger = newKeyPair();
    expectProblem(await report(body, { key: stranger.privateKey }), 401, 'bad_signature');
    const signedOther = sign('sha256', Buffer.from('[]'), { key: reporter.privateKey, dsaEncoding: 'der' }).toString('base64');
    expectProblem(await report(body, { signature: signedOther }), 401, 'bad_signature');
    expectProblem(await report(body, { signature: 'not base64 at all!' }), 401, 'bad_signature');
    expectProblem(await report(body, { keyId: 'no-such-key' }), 401, 'bad_signature');
    const onlyId = await send(rekey.url, 'POST', '/v1/leaks', {
      token: null,
      rawBody: body,
      headers: { 'content-type': 'application/json', 'github-public-key-identifier': KEY_ID },
    });
    expectProblem(onlyId, 401, 'unauthenticated');

    // Signed, but too many matches, too large, not JSON, or not the partner format.
    expectProblem(await report(JSON.stringify(Array.from({ length: 1001 }, () => match(client.secret)))), 400, 'invalid_request');
    expectProblem(await report(JSON.stringify([match('x'.repeat(2000))])), 400, 'invalid_request');
    expectProblem(await report(Buffer.alloc(1024 * 1024 + 1, 0x20)), 413, 'payload_too_large');
    expectProblem(await report('[{"token": '), 400, 'invalid_request');
    expectProblem(await report(JSON.stringify(match(client.secret))), 400, 'invalid_request');
    expectProblem(await report(JSON.stringify([{ type: 'rekey_secret', url: GITHUB_URL }])), 400, 'invalid_request');
    expectProblem(await report(JSON.stringify([{ ...match(client.secret), extra: 1 }])), 400, 'invalid_request');
    expectProblem(await report(JSON.stringify([{ ...match(client.secret), url: 'a\u0000b' }])), 400, 'invalid_request');
    expectProblem(await report(''), 400, 'invalid_request');

    expect(await footprint()).toBe(before);
    expect((await whoamiOn(rekey.url, client.id, client.secret)).status).toBe(200);
  });

  it('revokes admin tokens, app tokens and access token secrets too; the notice names the apps of a revoked key account', async () => {
    const keyAccount = await createClient('apikey', 'Used by apps');
    const app = await rekey.request('POST', '/v1/apps', { body: { name: 'Billing', config: { apiKeyId: keyAccount.id } } });
    expect(app.status, app.text).toBe(201);
    const appToken: string = app.json.appToken;
    const adminToken = await rekey.request('POST', '/v1/admin-tokens', { body: { name: 'ci script' } });
    expect(adminToken.status, adminToken.text).toBe(201);
    const tba = await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Integration' } });
    const issued = await rekey.request('POST', `/v1/clients/${tba.json.id}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    expect(issued.status, issued.text).toBe(201);
    expect((await send(rekey.url, 'GET', '/v1/app/credentials', { token: appToken })).status).not.toBe(401);
    expect((await send(rekey.url, 'GET', '/v1/clients', { token: adminToken.json.token })).status).toBe(200);

    const tokens = [keyAccount.secret, adminToken.json.token as string, appToken, issued.json.tokenSecret as string];
    const answer = await report(JSON.stringify(tokens.map((token) => ({ token, type: 'rekey', url: GITHUB_URL, source: 'commit' }))));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual(tokens.map((token) => ({ token_hash: sha256(token), token_type: 'rekey', label: 'true_positive' })));

    expect((await whoamiOn(rekey.url, keyAccount.id, keyAccount.secret)).json.code).toBe('revoked');
    const admin = await send(rekey.url, 'GET', '/v1/clients', { token: adminToken.json.token });
    expect(admin.status).toBe(401);
    expect(admin.json.code).toBe('revoked');
    expect((await send(rekey.url, 'GET', '/v1/app/credentials', { token: appToken })).status).toBe(401);
    expect((await rekey.runtime.core.store.getToken(issued.json.tokenId))?.revokedReason).toBe('leaked');
    // The second node sees the token revocation too (through the change log for the tba cache).
    const onB = await eventually(
      () => send(nodeB.url, 'GET', '/v1/clients', { token: adminToken.json.token }),
      (response) => response.status === 401,
      5000,
    );
    expect(onB.json.code).toBe('revoked');

    const keyAccountNotice = (await leakMessages()).find(
      (message) => message.channel === 'email' && message.payload.clientId === keyAccount.id,
    );
    expect(keyAccountNotice?.payload.text).toContain(`Billing (${app.json.id})`);
    const hook = await waitFor('the key account webhook', () =>
      receiver.received.find((received) => received.body.includes(keyAccount.id)),
    );
    expect(JSON.parse(hook.body).data.apps).toEqual([{ appId: app.json.id, name: 'Billing' }]);
    const subjects = (await leakMessages())
      .filter((message) => message.channel === 'email')
      .map((message) => String(message.payload.subject));
    expect(subjects).toEqual(
      expect.arrayContaining([
        'Leaked secret revoked for Used by apps',
        'Leaked admin token revoked: ci script',
        'Leaked app token revoked for app Billing',
        'Leaked access token revoked for Integration',
      ]),
    );
    expect(JSON.stringify(await leakMessages())).not.toMatch(SECRET_SHAPE);
  });

  it("an operator token is revoked and recorded in the operator log; a member's report counts for their own account only", async () => {
    const operator = await rekey.runtime.core.store.listOperatorTokens();
    expect(operator).toEqual([]);
    const { createOperatorToken } = await import('../src/core/operators/index.js');
    const created = await createOperatorToken(rekey.runtime.core, { type: 'cli', id: 'rekey' }, { name: 'provisioning' });
    // A member may not report it: it belongs to no account.
    const mine = await createClient('oauth', 'Mine');
    const theirs = await rekey.request('POST', '/v1/clients', { token: rekey.other.token, body: { profile: 'oauth', name: 'Theirs' } });
    const manager = await limitedToken(rekey, ['credentials.manage', 'credentials.read']);
    const byMember = await send(rekey.url, 'POST', '/v1/leaks', {
      token: manager,
      body: [{ token: created.token }, { token: theirs.json.secret }, { token: mine.secret, url: 'https://paste.example/abc' }],
    });
    expect(byMember.status, byMember.text).toBe(200);
    expect(byMember.json.map((verdict: { label: string }) => verdict.label)).toEqual(['false_positive', 'false_positive', 'true_positive']);
    expect(byMember.json[2].token_type).toBe('rekey_secret');
    expect((await rekey.runtime.core.store.listOperatorTokens())[0]?.revokedAt).toBeNull();
    expect((await whoamiOn(rekey.url, theirs.json.id, theirs.json.secret)).status).toBe(200);
    expect((await whoamiOn(rekey.url, mine.id, mine.secret)).json.code).toBe('revoked');
    const audit = await rekey.request('GET', `/v1/audit?type=secret.leaked&clientId=${mine.id}`);
    expect(audit.json.items[0].actor.type).toBe('admin_token');

    const reader = await limitedToken(rekey, ['credentials.read']);
    const refused = await send(rekey.url, 'POST', '/v1/leaks', { token: reader, body: [{ token: theirs.json.secret }] });
    expectProblem(refused, 403, 'forbidden');

    const byKey = await report(JSON.stringify([match(created.token)]));
    expect(byKey.json[0].label).toBe('true_positive');
    expect((await rekey.runtime.core.store.listOperatorTokens())[0]?.revokedAt).not.toBeNull();
    const events = await rekey.runtime.core.store.listOperatorEvents(10);
    expect(events.find((event) => event.type === 'operator_token.leaked')).toMatchObject({
      actor: { type: 'leak_reporter', id: KEY_ID },
      data: { outcome: 'revoked', url: GITHUB_URL },
    });
    expect(JSON.stringify(events)).not.toMatch(SECRET_SHAPE);
  });

  it('limits reports per reporter key: 429 with retryAfter, other keys unaffected', async () => {
    const body = JSON.stringify([match('noise')]);
    const answers: TestResponse[] = [];
    for (let i = 0; i < 61; i++) answers.push(await report(body, { keyId: THROTTLED_KEY_ID, key: throttled.privateKey }));
    expect(answers.slice(0, 60).every((answer) => answer.status === 200)).toBe(true);
    const limited = answers[60]!;
    expectProblem(limited, 429, 'rate_limited');
    expect(limited.json.retryAfter).toBeGreaterThan(0);
    expect(limited.headers.get('retry-after')).toBe(String(limited.json.retryAfter));
    expect((await report(body)).status).toBe(200);
    rekey.clock.advance(61_000);
    expect((await report(body, { keyId: THROTTLED_KEY_ID, key: throttled.privateKey })).status).toBe(200);
  });

  it('never writes a reported secret to the log', () => {
    expect(rekey.logs.join('\n')).not.toMatch(SECRET_SHAPE);
    expect(nodeB.output()).not.toMatch(SECRET_SHAPE);
  });
});
