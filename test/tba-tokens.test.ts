import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader, type OAuthSignatureMethod } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

async function memberWithToken(rekey: Rekey, roles: string[]): Promise<{ memberId: string; token: string }> {
  const email = `m${randomBytes(4).toString('hex')}@acme.test`;
  const member = await rekey.request('POST', '/v1/members', { body: { email, roles, password: 'member password' } });
  expect(member.status, member.text).toBe(201);
  const signIn = await send(rekey.url, 'POST', '/v1/sessions', {
    token: null,
    body: { accountId: 'acme1', email, password: 'member password' },
  });
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

interface Creds {
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

describe.each(STORE_KINDS)('integration tokens (%s)', (kind) => {
  let rekey: Rekey;
  let client: { id: string; consumerKey: string; consumerSecret: string };

  beforeAll(async () => {
    rekey = await startRekey(kind);
    client = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Payroll' } })).json;
    for (const [name, permissions] of [
      ['Integrator', ['credentials.read']],
      ['Reader', ['credentials.read']],
      ['Ops', ['credentials.read', 'credentials.manage']],
    ] as const) {
      expect((await rekey.request('POST', '/v1/roles', { body: { name, permissions } })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await rekey.close();
  });

  const whoami = (creds: Creds, options: { realm?: string; method?: OAuthSignatureMethod; path?: string } = {}) => {
    const path = options.path ?? '/v1/whoami';
    return send(rekey.url, 'GET', path, {
      token: null,
      headers: {
        authorization: buildOAuthHeader({
          consumerKey: creds.consumerKey,
          consumerSecret: creds.consumerSecret,
          token: creds.tokenId,
          tokenSecret: creds.tokenSecret,
          method: 'GET',
          url: rekey.config.publicUrl + path,
          realm: options.realm ?? 'acme1',
          ...(options.method ? { signatureMethod: options.method } : {}),
        }),
      },
    });
  };
  const issue = async (memberId: string, role: string, on = client) => {
    const issued = await rekey.request('POST', `/v1/clients/${on.id}/tokens`, { body: { memberId, role } });
    expect(issued.status, issued.text).toBe(201);
    return {
      consumerKey: on.consumerKey,
      consumerSecret: on.consumerSecret,
      tokenId: issued.json.tokenId as string,
      tokenSecret: issued.json.tokenSecret as string,
    };
  };

  it('issues a token once and lists tokens in the pinned shape, never a secret', async () => {
    const issued = await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(issued.json).sort()).toEqual(['tokenId', 'tokenSecret']);
    expect(issued.json.tokenId).toMatch(/^tok_/);
    expect(issued.json.tokenSecret).toMatch(/^rk_tok_[0-9A-Za-z]{49}$/);
    const listed = await rekey.request('GET', `/v1/clients/${client.id}/tokens`);
    expect(listed.status).toBe(200);
    const item = listed.json.items.find((candidate: { tokenId: string }) => candidate.tokenId === issued.json.tokenId);
    expect(Object.keys(item).sort()).toEqual(['createdAt', 'memberId', 'role', 'tokenId']);
    expect(item).toMatchObject({ memberId: rekey.main.memberId, role: 'Administrator' });
    expect(listed.text).not.toContain(issued.json.tokenSecret);
    const audit = await rekey.request('GET', `/v1/audit?type=token.created&clientId=${client.id}`);
    expect(audit.json.items[0].data).toEqual({ tokenId: issued.json.tokenId, memberId: rekey.main.memberId, role: 'Administrator' });
  });

  it('authenticates with the token: the identity names the member and role', async () => {
    const creds = await issue(rekey.main.memberId, 'Administrator');
    const answer = await whoami(creds);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({
      credentialType: 'oauth1',
      accountId: 'acme1',
      clientId: client.id,
      profile: 'tba',
      versionId: expect.stringMatching(/^ver_/),
      memberId: rekey.main.memberId,
      role: 'Administrator',
    });
  });

  it('only for a role the member holds, a member of this account, on a tba record with token-based auth', async () => {
    const notHeld = await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Reader' },
    });
    expect(notHeld.status).toBe(400);
    expect(notHeld.json.errors[0].pointer).toBe('/role');
    expect(
      (await rekey.request('POST', `/v1/clients/${client.id}/tokens`, { body: { memberId: rekey.other.memberId, role: 'Administrator' } }))
        .status,
    ).toBe(404);
    expect((await rekey.request('POST', `/v1/clients/${client.id}/tokens`, { body: { memberId: rekey.main.memberId } })).status).toBe(400);
    expect(
      (
        await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
          body: { memberId: rekey.main.memberId, role: 'Administrator', extra: 1 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
          token: null,
          body: { memberId: rekey.main.memberId, role: 'Administrator' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
          token: rekey.other.token,
          body: { memberId: rekey.other.memberId, role: 'Administrator' },
        })
      ).status,
    ).toBe(404);
    expect((await rekey.request('GET', `/v1/clients/${client.id}/tokens`, { token: rekey.other.token })).status).toBe(404);

    const apikey = (await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'k' } })).json;
    const notTba = await rekey.request('POST', `/v1/clients/${apikey.id}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    expect(notTba.status).toBe(409);
    expect(notTba.json.code).toBe('not_tba');
    const disabled = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'off', tokenBasedAuth: false } })).json;
    const refused = await rekey.request('POST', `/v1/clients/${disabled.id}/tokens`, {
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('tba_disabled');
  });

  it('nobody issues a token for a role more powerful than their own (403, audited)', async () => {
    const ops = await memberWithToken(rekey, ['Ops']);
    const denied = await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
      token: ops.token,
      body: { memberId: rekey.main.memberId, role: 'Administrator' },
    });
    expect(denied.status).toBe(403);
    const audit = await rekey.request('GET', '/v1/audit?type=permission.denied');
    expect(audit.json.items[0]).toMatchObject({
      actor: { memberId: ops.memberId },
      clientId: client.id,
      data: { action: 'issue an access token' },
    });
    const allowed = await rekey.request('POST', `/v1/clients/${client.id}/tokens`, {
      token: ops.token,
      body: { memberId: ops.memberId, role: 'Ops' },
    });
    expect(allowed.status, allowed.text).toBe(201);
  });

  it('revokes one token and all of them; revoked tokens answer 401 revoked', async () => {
    const first = await issue(rekey.main.memberId, 'Administrator');
    const second = await issue(rekey.main.memberId, 'Administrator');
    expect((await whoami(first)).status).toBe(200);
    expect((await rekey.request('DELETE', `/v1/clients/${client.id}/tokens/${first.tokenId}`)).status).toBe(204);
    const refused = await whoami(first);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('revoked');
    expect(refused.headers.get('www-authenticate')).toBe('OAuth realm="acme1"');
    expect((await whoami(second)).status).toBe(200);
    expect((await rekey.request('DELETE', `/v1/clients/${client.id}/tokens/tok_unknown`)).status).toBe(404);
    expect((await rekey.request('DELETE', `/v1/clients/${client.id}/tokens/${second.tokenId}`, { token: rekey.other.token })).status).toBe(
      404,
    );

    const all = await rekey.request('POST', `/v1/clients/${client.id}/tokens/revoke-all`, { body: {} });
    expect(all.status).toBe(200);
    expect(all.json.revoked).toBeGreaterThanOrEqual(1);
    expect((await whoami(second)).json.code).toBe('revoked');
    expect((await rekey.request('GET', `/v1/clients/${client.id}/tokens`)).json.items).toEqual([]);
  });

  it("revokes a member's tokens when they lose the role, when the role is deleted, and when they leave", async () => {
    const member = (await rekey.request('POST', '/v1/members', { body: { email: 'worker@acme.test', roles: ['Integrator', 'Reader'] } }))
      .json;
    const asIntegrator = await issue(member.id, 'Integrator');
    const asReader = await issue(member.id, 'Reader');
    expect((await whoami(asIntegrator)).json.role).toBe('Integrator');

    expect((await rekey.request('PUT', `/v1/members/${member.id}/roles`, { body: { roles: ['Reader', 'Ops'] } })).status).toBe(200);
    expect((await whoami(asIntegrator)).json.code).toBe('revoked');
    expect((await whoami(asReader)).status).toBe(200);
    const asOps = await issue(member.id, 'Ops');

    expect((await rekey.request('DELETE', '/v1/roles/Reader')).status).toBe(204);
    expect((await whoami(asReader)).json.code).toBe('revoked');
    expect((await whoami(asOps)).status).toBe(200);
    expect((await rekey.request('GET', '/v1/members')).json.items.find((item: { id: string }) => item.id === member.id).roles).toEqual([
      'Ops',
    ]);

    expect((await rekey.request('DELETE', `/v1/members/${member.id}`)).status).toBe(204);
    expect((await whoami(asOps)).json.code).toBe('revoked');
    const audit = await rekey.request('GET', '/v1/audit?type=token.revoked');
    const reasons = audit.json.items
      .filter((event: { data: { memberId: string } }) => event.data.memberId === member.id)
      .map((event: { data: { reason: string } }) => event.data.reason);
    expect(reasons.sort()).toEqual(['member_removed', 'role_removed', 'role_removed']);
  });

  it('accepts HMAC-SHA1 only where allowHmacSha1 is set', async () => {
    const creds = await issue(rekey.main.memberId, 'Administrator');
    const sha1 = await whoami(creds, { method: 'HMAC-SHA1' });
    expect(sha1.status).toBe(400);
    expect(sha1.json.code).toBe('invalid_request');
    const legacy = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'legacy', allowHmacSha1: true } })).json;
    const legacyCreds = await issue(rekey.main.memberId, 'Administrator', legacy);
    expect((await whoami(legacyCreds, { method: 'HMAC-SHA1' })).status).toBe(200);
    expect((await whoami(legacyCreds)).status).toBe(200);
  });

  it('answers malformed OAuth parameters with 400 invalid_request, and unknown consumers and tokens with 401', async () => {
    const creds = await issue(rekey.main.memberId, 'Administrator');
    const valid = buildOAuthHeader({
      consumerKey: creds.consumerKey,
      consumerSecret: creds.consumerSecret,
      token: creds.tokenId,
      tokenSecret: creds.tokenSecret,
      method: 'GET',
      url: `${rekey.config.publicUrl}/v1/whoami`,
      realm: 'acme1',
    });
    const cases: Array<[string, string, string]> = [
      ['no realm', valid.replace('realm="acme1", ', ''), 'invalid_request'],
      ['duplicated parameter', `${valid}, oauth_nonce="again123"`, 'invalid_request'],
      ['missing signature', valid.replace(/, oauth_signature="[^"]*"/, ''), 'invalid_request'],
      ['PLAINTEXT', valid.replace('HMAC-SHA256', 'PLAINTEXT'), 'invalid_request'],
      ['version 2.0', valid.replace('oauth_version="1.0"', 'oauth_version="2.0"'), 'invalid_request'],
      ['garbage', 'OAuth realm="acme1", this is not oauth', 'invalid_request'],
    ];
    for (const [name, authorization, code] of cases) {
      const answer = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: { authorization } });
      expect(answer.status, name).toBe(400);
      expect(answer.json.code, name).toBe(code);
    }
    // Parameters in the query count too: the same one twice is a duplicate.
    const dup = await send(rekey.url, 'GET', '/v1/whoami?oauth_nonce=abcdefgh', { token: null, headers: { authorization: valid } });
    expect(dup.status).toBe(400);

    const unknownConsumer = await whoami({ ...creds, consumerKey: 'ck_doesNotExist' });
    expect(unknownConsumer.status).toBe(401);
    expect(unknownConsumer.json.code).toBe('unknown_client');
    const unknownToken = await whoami({ ...creds, tokenId: 'tok_doesNotExist' });
    expect(unknownToken.status).toBe(401);
    const wrongSecret = await whoami({ ...creds, tokenSecret: 'rk_tok_wrong' });
    expect(wrongSecret.json.code).toBe('bad_signature');
  });

  it("POST /v1/verify checks OAuth 1.0a requests for the caller's own account and consumes their nonces", async () => {
    const creds = await issue(rekey.main.memberId, 'Administrator');
    const url = 'https://api.partner.example/orders?since=2026-01-01';
    const authorization = buildOAuthHeader({
      consumerKey: creds.consumerKey,
      consumerSecret: creds.consumerSecret,
      token: creds.tokenId,
      tokenSecret: creds.tokenSecret,
      method: 'POST',
      url,
      realm: 'acme1',
      formParams: [['item', 'A-1']],
    });
    const body = {
      method: 'POST',
      url,
      headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('item=A-1').toString('base64'),
    };
    const foreign = await rekey.request('POST', '/v1/verify', { token: rekey.other.token, body });
    expect(foreign.json).toMatchObject({ valid: false, code: 'unknown_client' });
    const ok = await rekey.request('POST', '/v1/verify', { body });
    expect(ok.json).toMatchObject({
      valid: true,
      credentialType: 'oauth1',
      clientId: client.id,
      memberId: rekey.main.memberId,
      role: 'Administrator',
    });
    expect((await rekey.request('POST', '/v1/verify', { body })).json).toMatchObject({ valid: false, code: 'replayed_nonce' });
    const tampered = await rekey.request('POST', '/v1/verify', {
      body: { ...body, body: Buffer.from('item=B-2').toString('base64'), headers: { ...body.headers } },
    });
    expect(tampered.json).toMatchObject({ valid: false, code: 'bad_signature' });
  });

  it('serves a warm consumer key and token from memory: the only statement per request is the nonce insert', async () => {
    const creds = await issue(rekey.main.memberId, 'Administrator');
    // The change the issue recorded also reaches this node's change follower: let it land before warming the cache.
    await rekey.runtime.follower?.poll();
    expect((await whoami(creds)).status).toBe(200);
    type Spyable = Record<'all' | 'run', (sql: string, params?: unknown[]) => Promise<unknown>> & {
      transaction: (work: (tx: unknown) => Promise<unknown>) => Promise<unknown>;
    };
    const db = rekey.runtime.opened.db as unknown as Spyable;
    const statements: string[] = [];
    const original = { all: db.all, run: db.run, transaction: db.transaction };
    const spied = (target: Spyable): Spyable => ({
      ...target,
      all: (sql, params) => (statements.push(sql), target.all.call(target, sql, params)),
      run: (sql, params) => (statements.push(sql), target.run.call(target, sql, params)),
    });
    db.all = (sql, params) => (statements.push(sql), original.all.call(db, sql, params));
    db.run = (sql, params) => (statements.push(sql), original.run.call(db, sql, params));
    // Nonce claims may be group-committed inside a transaction: count what runs in there too.
    db.transaction = (work) => original.transaction.call(db, (tx: unknown) => work(spied(tx as Spyable)));
    try {
      for (let i = 0; i < 5; i++) expect((await whoami(creds)).status).toBe(200);
    } finally {
      db.all = original.all;
      db.run = original.run;
      db.transaction = original.transaction;
    }
    // The usage statistics (use counts and hourly buckets) flush every few seconds on their own, whatever
    // the requests: not a per-request statement.
    const perRequest = statements.filter((sql) => !/^\s*(?:INSERT INTO (?:version_usage|usage_buckets))/.test(sql));
    const lookups = perRequest.filter((sql) =>
      /\b(clients|tba_tokens|secret_versions|members|roles|tba_installations|tba_retired_consumer_keys)\b/.test(sql),
    );
    expect(lookups).toEqual([]);
    expect(statements.filter((sql) => /INSERT INTO (?:nonces|nonce_log)\b/.test(sql))).toHaveLength(5);
  });

  it("a deleted record's tokens stop at once", async () => {
    const doomed = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'doomed' } })).json;
    const creds = await issue(rekey.main.memberId, 'Administrator', doomed);
    expect((await whoami(creds)).status).toBe(200);
    expect((await rekey.request('DELETE', `/v1/clients/${doomed.id}`)).status).toBe(204);
    const refused = await whoami(creds);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('revoked');
  });
});
