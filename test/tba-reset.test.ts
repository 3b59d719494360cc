import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

/** A member of acme1 with these roles, and an admin token they created for themselves after signing in. */
async function memberWithToken(rekey: Rekey, roles: string[]): Promise<{ memberId: string; token: string }> {
  const email = `m${randomBytes(4).toString('hex')}@acme.test`;
  const member = await rekey.request('POST', '/v1/members', { body: { email, roles, password: 'member password' } });
  expect(member.status, member.text).toBe(201);
  const signIn = await send(rekey.url, 'POST', '/v1/sessions', {
    token: null,
    body: { accountId: 'acme1', email, password: 'member password' },
  });
  expect(signIn.status).toBe(201);
  const cookie = signIn.headers
    .getSetCookie()
    .find((line) => line.startsWith('rekey_session='))!
    .split(';')[0]!;
  const token = await send(rekey.url, 'POST', '/v1/admin-tokens', {
    token: null,
    headers: { cookie, 'x-csrf-token': signIn.json.csrfToken },
    body: { name: 'scripts' },
  });
  expect(token.status, token.text).toBe(201);
  return { memberId: member.json.id, token: token.json.token };
}

describe.each(STORE_KINDS)('integration records: create and reset (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const createTba = async (body: Record<string, unknown> = {}) => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'ERP connector', ...body } });
    expect(created.status, created.text).toBe(201);
    return created.json;
  };

  it('creates a record: consumer key and secret once; GET shows the key, never the secret', async () => {
    const created = await createTba();
    expect(created).toMatchObject({
      id: expect.stringMatching(/^cli_/),
      profile: 'tba',
      name: 'ERP connector',
      tokenBasedAuth: true,
      allowHmacSha1: false,
      consumerKey: expect.stringMatching(/^ck_[0-9A-Za-z]{32}$/),
      consumerSecret: expect.stringMatching(/^rk_sec_/),
      versionId: expect.stringMatching(/^ver_/),
    });
    expect(created.secret).toBeUndefined();
    const got = await rekey.request('GET', `/v1/clients/${created.id}`);
    expect(got.json.consumerKey).toBe(created.consumerKey);
    expect(got.text).not.toContain(created.consumerSecret);
    const listed = await rekey.request('GET', '/v1/clients?profile=tba');
    expect(listed.text).not.toContain(created.consumerSecret);
    expect((await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'x', allowedScopes: [] } })).status).toBe(400);
    expect((await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'x', tokenBasedAuth: 'yes' } })).status).toBe(400);
  });

  it('resets: a new consumer key and secret, returned once; the old version retired; audited; administrators told', async () => {
    const created = await createTba();
    const reset = await rekey.request('POST', `/v1/clients/${created.id}/reset`, { body: {} });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(reset.json).sort()).toEqual(['consumerKey', 'consumerSecret']);
    expect(reset.json.consumerKey).toMatch(/^ck_/);
    expect(reset.json.consumerKey).not.toBe(created.consumerKey);
    expect(reset.json.consumerSecret).not.toBe(created.consumerSecret);

    const got = await rekey.request('GET', `/v1/clients/${created.id}`);
    expect(got.json.consumerKey).toBe(reset.json.consumerKey);
    expect(got.json.versions.map((version: { state: string }) => version.state)).toEqual(['current', 'retired']);
    expect(got.text).not.toContain(reset.json.consumerSecret);

    const audit = await rekey.request('GET', `/v1/audit?type=client.reset&clientId=${created.id}`);
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0]).toMatchObject({ actor: { type: 'admin_token' }, versionId: got.json.versions[0].versionId });
    const outbox = await rekey.request('GET', '/v1/outbox?type=client.reset');
    expect(outbox.json.items.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps tokens working across a reset, with the new pair only (own signer)', async () => {
    const created = await createTba();
    const issued = await rekey.request('POST', `/v1/clients/${created.id}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    const whoami = (consumerKey: string, consumerSecret: string) =>
      send(rekey.url, 'GET', '/v1/whoami', {
        token: null,
        headers: {
          authorization: buildOAuthHeader({
            consumerKey,
            consumerSecret,
            token: issued.json.tokenId,
            tokenSecret: issued.json.tokenSecret,
            method: 'GET',
            url: `${rekey.config.publicUrl}/v1/whoami`,
            realm: 'acme1',
          }),
        },
      });
    expect((await whoami(created.consumerKey, created.consumerSecret)).status).toBe(200);
    const reset = (await rekey.request('POST', `/v1/clients/${created.id}/reset`, { body: {} })).json;
    const old = await whoami(created.consumerKey, created.consumerSecret);
    expect(old.status).toBe(401);
    expect(old.json.code).toBe('stale_secret');
    const fresh = await whoami(reset.consumerKey, reset.consumerSecret);
    expect(fresh.status).toBe(200);
    expect(fresh.json).toMatchObject({ clientId: created.id, memberId: rekey.main.memberId, role: 'Administrator' });
    // A second reset retires the first reset's pair as well.
    const again = (await rekey.request('POST', `/v1/clients/${created.id}/reset`, { body: {} })).json;
    expect((await whoami(reset.consumerKey, reset.consumerSecret)).status).toBe(401);
    expect((await whoami(again.consumerKey, again.consumerSecret)).status).toBe(200);
  });

  it('with an Idempotency-Key, a retry returns the same pair instead of resetting again', async () => {
    const created = await createTba();
    const key = `reset-${randomBytes(4).toString('hex')}`;
    const first = await rekey.request('POST', `/v1/clients/${created.id}/reset`, { body: {}, headers: { 'idempotency-key': key } });
    const retry = await rekey.request('POST', `/v1/clients/${created.id}/reset`, { body: {}, headers: { 'idempotency-key': key } });
    expect(retry.json).toEqual(first.json);
    const got = await rekey.request('GET', `/v1/clients/${created.id}`);
    expect(got.json.versions).toHaveLength(2);
    expect(got.json.consumerKey).toBe(first.json.consumerKey);
  });

  it('refuses what cannot be reset: 409 not_tba, tba_disabled, deleted; regenerate on tba → 409 use_reset', async () => {
    const apikey = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'key' } });
    const notTba = await rekey.request('POST', `/v1/clients/${apikey.json.id}/reset`, { body: {} });
    expect(notTba.status).toBe(409);
    expect(notTba.json.code).toBe('not_tba');

    const disabled = await createTba({ tokenBasedAuth: false });
    const refused = await rekey.request('POST', `/v1/clients/${disabled.id}/reset`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('tba_disabled');
    expect((await rekey.request('GET', `/v1/clients/${disabled.id}`)).json.consumerKey).toBe(disabled.consumerKey);

    const tba = await createTba();
    const regenerate = await rekey.request('POST', `/v1/clients/${tba.id}/regenerate`, { body: {} });
    expect(regenerate.status).toBe(409);
    expect(regenerate.json.code).toBe('use_reset');

    expect((await rekey.request('DELETE', `/v1/clients/${tba.id}`)).status).toBe(204);
    expect((await rekey.request('POST', `/v1/clients/${tba.id}/reset`, { body: {} })).status).toBe(409);
  });

  it("answers 400 for a body, 401 without credentials and 404 for unknown or another account's ids", async () => {
    const tba = await createTba();
    const bad = await rekey.request('POST', `/v1/clients/${tba.id}/reset`, { body: { graceSeconds: 60 } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].pointer).toBe('/graceSeconds');
    expect((await rekey.request('POST', `/v1/clients/${tba.id}/reset`, { token: null, body: {} })).status).toBe(401);
    expect((await rekey.request('POST', `/v1/clients/${tba.id}/reset`, { token: rekey.other.token, body: {} })).status).toBe(404);
    expect((await rekey.request('POST', '/v1/clients/cli_nope/reset', { body: {} })).status).toBe(404);
    expect((await rekey.request('GET', `/v1/clients/${tba.id}`)).json.consumerKey).toBe(tba.consumerKey);
  });

  it('a custom role holding credentials.manage can reset; one without gets 403, audited, and nothing changes', async () => {
    expect(
      (
        await rekey.request('POST', '/v1/roles', {
          body: { name: 'Portal Admin', permissions: ['credentials.read', 'credentials.manage'] },
        })
      ).status,
    ).toBe(201);
    expect(
      (await rekey.request('POST', '/v1/roles', { body: { name: 'Auditor', permissions: ['credentials.read', 'audit.read'] } })).status,
    ).toBe(201);
    const portalAdmin = await memberWithToken(rekey, ['Portal Admin']);
    const auditor = await memberWithToken(rekey, ['Auditor']);
    const tba = await createTba();

    const allowed = await rekey.request('POST', `/v1/clients/${tba.id}/reset`, { token: portalAdmin.token, body: {} });
    expect(allowed.status, allowed.text).toBe(200);
    const keyAfter = allowed.json.consumerKey;

    const denied = await rekey.request('POST', `/v1/clients/${tba.id}/reset`, { token: auditor.token, body: {} });
    expect(denied.status).toBe(403);
    expect(denied.json.code).toBe('forbidden');
    expect((await rekey.request('GET', `/v1/clients/${tba.id}`)).json.consumerKey).toBe(keyAfter);
    const audit = await rekey.request('GET', '/v1/audit?type=permission.denied');
    expect(
      audit.json.items.some(
        (event: { actor: { memberId?: string }; data: { permission?: string } }) =>
          event.actor.memberId === auditor.memberId && event.data.permission === 'credentials.manage',
      ),
    ).toBe(true);
    const resets = await rekey.request('GET', `/v1/audit?type=client.reset&clientId=${tba.id}`);
    expect(resets.json.items).toHaveLength(1);
    expect(resets.json.items[0].actor.memberId).toBe(portalAdmin.memberId);
  });
});
