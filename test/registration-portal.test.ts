import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_WINDOW_MS } from '../src/core/accounts/sign-in-throttle.js';
import { runCli } from './support/cli.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import {
  ADMIN_PASSWORD,
  PORTAL_PASSWORD,
  asSession,
  portalAppCredentials,
  preparePortalMembers,
  register,
  signIn,
  whoami,
} from './support/portal.js';
import { STORE_KINDS } from './support/stores.js';

const SECRET_SHAPE = /rk_sec_[0-9A-Za-z]{49}/;

describe.each(STORE_KINDS)('portal registration (%s)', (kind) => {
  let rekey: Rekey;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    await preparePortalMembers(rekey);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('first run: creates the portal key account and the portal app, answers without the secret, queues the confirmation', async () => {
    const response = await register(rekey);
    expect(response.status, response.text).toBe(200);
    expect(Object.keys(response.json).sort()).toEqual(['accountId', 'clientId', 'registeredAt', 'versionId']);
    expect(response.json).toMatchObject({
      accountId: 'acme1',
      clientId: expect.stringMatching(/^cli_/),
      versionId: expect.stringMatching(/^ver_/),
    });
    expect(Date.parse(response.json.registeredAt)).not.toBeNaN();
    expect(response.text).not.toMatch(SECRET_SHAPE);
    expect(response.headers.get('cache-control')).toBe('no-store');

    const client = await rekey.request('GET', `/v1/clients/${response.json.clientId}`);
    expect(client.json).toMatchObject({ profile: 'apikey', registrationOnly: true, state: 'active' });
    expect(client.json.versions.map((version: { versionId: string; state: string }) => [version.versionId, version.state])).toEqual([
      [response.json.versionId, 'current'],
    ]);

    const portal = await portalAppCredentials(rekey);
    expect(portal.keyAccountId).toBe(response.json.clientId);
    expect(portal.versionId).toBe(response.json.versionId);
    expect((await whoami(rekey, response.json.clientId, portal.value)).status).toBe(200);
    const app = await rekey.request('GET', `/v1/apps/${portal.appId}`);
    expect(app.json).toMatchObject({ name: 'portal', state: 'deployed', config: { apiKeyId: response.json.clientId } });

    const audit = await rekey.request('GET', '/v1/audit?type=registration.completed');
    expect(audit.json.items[0]).toMatchObject({
      clientId: response.json.clientId,
      versionId: response.json.versionId,
      data: { firstRun: true, email: 'portal@acme.test' },
    });
    const outbox = await rekey.request('GET', '/v1/outbox?type=registration.completed');
    expect(outbox.json.items.map((item: { recipient: string }) => item.recipient).sort()).toEqual(['admin@acme.test', 'portal@acme.test']);
    expect(
      outbox.json.items.every((item: { channel: string; status: string }) => item.channel === 'email' && item.status === 'pending'),
    ).toBe(true);
  });

  it('re-registration: the old secret dies at once, the portal app fetches the new one, sessions survive, signed URLs keep their window', async () => {
    const before = await portalAppCredentials(rekey);
    const session = await signIn(rekey, 'acme1', 'admin@acme.test', ADMIN_PASSWORD);
    const signedBefore = await rekey.request('POST', '/v1/signed-urls', {
      body: { url: 'https://files.acme.test/reports/q3.pdf?download=1', method: 'GET', ttlSeconds: 3600 },
    });
    expect(signedBefore.status, signedBefore.text).toBe(201);
    expect(new URL(signedBefore.json.url).searchParams.get('rk_kid')).toBe(before.versionId);

    const again = await register(rekey);
    expect(again.status, again.text).toBe(200);
    expect(again.json.clientId).toBe(before.keyAccountId);
    expect(again.json.versionId).not.toBe(before.versionId);
    expect(again.text).not.toMatch(SECRET_SHAPE);

    // The old pair stops immediately.
    const old = await whoami(rekey, before.keyAccountId, before.value);
    expect(old.status).toBe(401);
    expect(old.json.code).toBe('stale_secret');
    // The portal app fetches the new one with the same app token, and it works.
    const after = await portalAppCredentials(rekey, rekey.main.token, { newToken: before.appToken });
    expect(after.versionId).toBe(again.json.versionId);
    expect(after.value).not.toBe(before.value);
    expect((await whoami(rekey, after.keyAccountId, after.value)).status).toBe(200);

    // A console session opened before still works: it never held the secret.
    expect((await asSession(rekey, session, 'GET', '/v1/members/me')).status).toBe(200);

    // A URL signed before stays valid until its own rk_exp; a new one carries the new version.
    const verify = (url: string) => rekey.request('POST', '/v1/signed-urls/verify', { body: { url, method: 'GET' } });
    expect((await verify(signedBefore.json.url)).json).toMatchObject({ valid: true, code: 'ok', accountId: 'acme1' });
    const signedAfter = await rekey.request('POST', '/v1/signed-urls', {
      body: { url: 'https://files.acme.test/reports/q3.pdf?download=1', method: 'GET', ttlSeconds: 7200 },
    });
    expect(new URL(signedAfter.json.url).searchParams.get('rk_kid')).toBe(again.json.versionId);
    rekey.clock.advance(3601 * 1000);
    expect((await verify(signedBefore.json.url)).json).toMatchObject({ valid: false, code: 'expired' });
    expect((await verify(signedAfter.json.url)).json).toMatchObject({ valid: true, code: 'ok' });

    // Registration is the portal key account's only rotation path.
    const regenerate = await rekey.request('POST', `/v1/clients/${before.keyAccountId}/regenerate`, { body: {} });
    expect(regenerate.status).toBe(409);
    expect(regenerate.json.code).toBe('registration_only');
    const guided = await rekey.request('POST', `/v1/clients/${before.keyAccountId}/rotate-with-apps`, { body: {} });
    expect(guided.status).toBe(409);

    // An administrator ends every session: the old one gets 401 session_revoked with the reason.
    expect((await rekey.request('POST', '/v1/sessions/revoke-all', { body: {} })).status).toBe(200);
    const ended = await asSession(rekey, session, 'GET', '/v1/members/me');
    expect(ended.status).toBe(401);
    expect(ended.json).toMatchObject({ code: 'session_revoked', reason: 'signed_out_by_admin' });

    // A revoked version's URLs die at once.
    expect((await rekey.request('POST', `/v1/clients/${after.keyAccountId}/versions/${after.versionId}/revoke`, { body: {} })).status).toBe(
      200,
    );
    expect((await verify(signedAfter.json.url)).json).toMatchObject({ valid: false, code: 'revoked' });
    // …and registration makes the portal work again.
    const third = await register(rekey);
    expect(third.status).toBe(200);
    const healed = await portalAppCredentials(rekey, rekey.main.token, { newToken: before.appToken });
    expect((await whoami(rekey, healed.keyAccountId, healed.value)).status).toBe(200);
    const audit = await rekey.request('GET', '/v1/audit?type=registration.completed');
    expect(audit.json.items[0].data).toMatchObject({ firstRun: false });
  });

  it('an Administrator may register too; the confirmation names account, client and version, never the secret', async () => {
    const response = await register(rekey, { companyId: 'acme1', email: 'Admin@Acme.test', password: ADMIN_PASSWORD });
    expect(response.status, response.text).toBe(200);
    const credentials = await portalAppCredentials(rekey);
    const outbox = await rekey.runtime.core.store.listOutbox('acme1', { type: 'registration.completed', limit: 50 });
    const latest = outbox.filter((message) => message.payload.versionId === response.json.versionId);
    expect(latest.map((message) => message.recipient)).toEqual(['admin@acme.test']);
    const text = String(latest[0]!.payload.text);
    expect(text).toContain('acme1');
    expect(text).toContain(response.json.clientId);
    expect(text).toContain(response.json.versionId);
    expect(JSON.stringify(latest[0]!.payload)).not.toContain(credentials.value);
    expect(JSON.stringify(latest[0]!.payload)).not.toMatch(SECRET_SHAPE);
  });

  it('a member without credentials.manage cannot register: 403, audited, nothing changes', async () => {
    const before = await portalAppCredentials(rekey);
    const response = await register(rekey, { companyId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' });
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ code: 'forbidden', permission: 'credentials.manage' });
    const denied = await rekey.request('GET', '/v1/audit?type=permission.denied');
    expect(denied.json.items[0]).toMatchObject({ data: { action: 'run the portal registration', permission: 'credentials.manage' } });
    expect(denied.json.items[0].actor.type).toBe('member');
    const after = await portalAppCredentials(rekey, rekey.main.token, { newToken: before.appToken });
    expect(after.versionId).toBe(before.versionId);
    expect((await whoami(rekey, after.keyAccountId, after.value)).status).toBe(200);
  });

  it('answers a wrong password, an unknown email and an unknown company alike, and throttles like sign-in', async () => {
    rekey.clock.advance(SIGN_IN_WINDOW_MS + 1000);
    const answers = await Promise.all([
      register(rekey, { companyId: 'acme1', email: 'portal@acme.test', password: 'wrong password' }),
      register(rekey, { companyId: 'acme1', email: 'ghost@acme.test', password: PORTAL_PASSWORD }),
      register(rekey, { companyId: 'nosuch9', email: 'portal@acme.test', password: PORTAL_PASSWORD }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code: 'unauthenticated', detail: answers[0]!.json.detail });
      expect(answer.headers.get('www-authenticate')).toBeTruthy();
    }
    for (let i = 0; i < 4; i++) await register(rekey, { companyId: 'acme1', email: 'portal@acme.test', password: 'wrong password' });
    const throttled = await register(rekey);
    expect(throttled.status).toBe(429);
    expect(throttled.json.retryAfter).toBeGreaterThan(0);
    // The counters are sign-in's own: the console refuses too.
    const signInAttempt = await send(rekey.url, 'POST', '/v1/sessions', {
      token: null,
      body: { accountId: 'acme1', email: 'portal@acme.test', password: PORTAL_PASSWORD },
    });
    expect(signInAttempt.status).toBe(429);
    // The failed checks are audited as registration ones (throttled attempts are not counted).
    const audited = await rekey.request(
      'GET',
      `/v1/audit?type=signin.failed&since=${encodeURIComponent(new Date(rekey.clock.now() - 120_000).toISOString())}`,
    );
    const registrationFailures = audited.json.items.filter((item: { data: { purpose: string } }) => item.data.purpose === 'registration');
    expect(registrationFailures.reduce((sum: number, item: { count: number }) => sum + item.count, 0)).toBe(6);
    rekey.clock.advance(SIGN_IN_WINDOW_MS + 1000);
    expect((await register(rekey)).status).toBe(200);
  });

  it('rejects bad input with 400 and other media types with 415, changing nothing', async () => {
    const count = (await rekey.request('GET', '/v1/audit?type=registration.completed')).json.items.length;
    for (const body of [
      {},
      { companyId: 'acme1', email: 'portal@acme.test' },
      { companyId: 'acme1', email: 'portal@acme.test', password: PORTAL_PASSWORD, secret: 'x' },
      { companyId: 1, email: 'a', password: 'b' },
    ]) {
      const response = await register(rekey, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.code).toBe('invalid_request');
    }
    const form = await send(rekey.url, 'POST', '/v1/register', {
      token: null,
      rawBody: 'companyId=acme1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect((await rekey.request('GET', '/v1/audit?type=registration.completed')).json.items.length).toBe(count);
  });

  it('`rekey register` runs the same registration from the CLI', async () => {
    const passwordFile = join(rekey.db.dir, 'portal-password');
    writeFileSync(passwordFile, `${PORTAL_PASSWORD}\n`, { mode: 0o600 });
    const before = await portalAppCredentials(rekey);
    const result = await runCli(
      ['register', '--company-id', 'acme1', '--email', 'portal@acme.test', '--password-file', passwordFile, '--json'],
      rekey.env,
    );
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).toMatchObject({ accountId: 'acme1', clientId: before.keyAccountId, versionId: expect.stringMatching(/^ver_/) });
    expect(result.stdout).not.toMatch(SECRET_SHAPE);
    expect((await whoami(rekey, before.keyAccountId, before.value)).status).toBe(401);
    const wrong = join(rekey.db.dir, 'wrong-password');
    writeFileSync(wrong, 'nope\n');
    expect(
      (await runCli(['register', '--company-id', 'acme1', '--email', 'portal@acme.test', '--password-file', wrong], rekey.env)).code,
    ).toBe(5);
    expect((await runCli(['register', '--company-id', 'acme1'], rekey.env)).code).toBe(2);
  });

  it('concurrent first registrations of an account make one portal, whose slot holds the one current secret', async () => {
    expect(
      (await rekey.request('PUT', '/v1/members/me/password', { token: rekey.other.token, body: { password: 'other admin password' } }))
        .status,
    ).toBe(204);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        register(rekey, { companyId: 'other2', email: 'admin@other.test', password: 'other admin password' }),
      ),
    );
    for (const result of results) expect(result.status, result.text).toBe(200);
    expect(new Set(results.map((result) => result.json.clientId)).size).toBe(1);
    const apps = await rekey.request('GET', '/v1/apps', { token: rekey.other.token });
    expect(apps.json.items.filter((app: { name: string }) => app.name === 'portal')).toHaveLength(1);
    const client = await rekey.request('GET', `/v1/clients/${results[0]!.json.clientId}`, { token: rekey.other.token });
    const current = client.json.versions.filter((version: { state: string }) => version.state === 'current');
    expect(current).toHaveLength(1);
    const portal = await portalAppCredentials(rekey, rekey.other.token);
    expect(portal.versionId).toBe(current[0].versionId);
    expect((await whoami(rekey, portal.keyAccountId, portal.value)).status).toBe(200);
    // Registration, not apps: the other account's clients are just the portal key account.
    expect((await rekey.request('GET', '/v1/clients', { token: rekey.other.token })).json.items).toHaveLength(1);
  });

  it("keeps accounts apart: another account cannot see or touch this account's portal", async () => {
    const mine = await portalAppCredentials(rekey);
    expect((await rekey.request('GET', `/v1/apps/${mine.appId}`, { token: rekey.other.token })).status).toBe(404);
    expect((await rekey.request('GET', `/v1/clients/${mine.keyAccountId}`, { token: rekey.other.token })).status).toBe(404);
  });
});
