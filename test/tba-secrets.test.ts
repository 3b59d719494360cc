import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

/**
 * Consumer secrets, token secrets, passwords, session cookies and CSRF tokens are shown once and
 * never again: not in any GET or list response, log line, audit event, outbox message, or any
 * row of any table in the database.
 */
describe.each(STORE_KINDS)('tba secrets stay secret (%s)', (kind) => {
  let rekey: Rekey;
  const secrets: string[] = [];
  const reads: string[] = [];

  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_LOG_LEVEL: 'debug' } });
    const password = 'a very secret password';
    secrets.push(password);
    expect((await rekey.request('PUT', '/v1/members/me/password', { body: { password } })).status).toBe(204);

    const created = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Ledger' } })).json;
    secrets.push(created.consumerSecret);
    const token = (
      await rekey.request('POST', `/v1/clients/${created.id}/tokens`, { body: { memberId: rekey.main.memberId, role: 'Administrator' } })
    ).json;
    secrets.push(token.tokenSecret);
    const bundle = (await rekey.request('POST', `/v1/clients/${created.id}/bundles`, { body: {} })).json;
    const installed = (await rekey.request('POST', `/v1/bundles/${bundle.bundleId}/install`, { token: rekey.other.token, body: {} })).json;
    const installerToken = (
      await rekey.request('POST', `/v1/clients/${installed.id}/tokens`, {
        token: rekey.other.token,
        body: { memberId: rekey.other.memberId, role: 'Administrator' },
      })
    ).json;
    secrets.push(installerToken.tokenSecret);

    const whoami = (consumerKey: string, consumerSecret: string, tokenId: string, tokenSecret: string, realm: string) =>
      send(rekey.url, 'POST', '/v1/whoami', {
        token: null,
        headers: {
          authorization: buildOAuthHeader({
            consumerKey,
            consumerSecret,
            token: tokenId,
            tokenSecret,
            method: 'POST',
            url: `${rekey.config.publicUrl}/v1/whoami`,
            realm,
            formParams: [['a', 'b']],
          }),
          'content-type': 'application/x-www-form-urlencoded',
        },
        rawBody: 'a=b',
      });
    expect((await whoami(created.consumerKey, created.consumerSecret, token.tokenId, token.tokenSecret, 'acme1')).status).toBe(200);
    const reset = (await rekey.request('POST', `/v1/clients/${created.id}/reset`, { body: {}, headers: { 'idempotency-key': 'reset-1' } }))
      .json;
    secrets.push(reset.consumerSecret);
    // Failures too: the old pair, a bad signature, a wrong realm.
    expect((await whoami(created.consumerKey, created.consumerSecret, token.tokenId, token.tokenSecret, 'acme1')).status).toBe(401);
    expect((await whoami(reset.consumerKey, reset.consumerSecret, token.tokenId, 'rk_tok_wrong', 'acme1')).status).toBe(401);
    expect(
      (await whoami(reset.consumerKey, reset.consumerSecret, installerToken.tokenId, installerToken.tokenSecret, 'acme1')).status,
    ).toBe(401);
    expect(
      (await whoami(reset.consumerKey, reset.consumerSecret, installerToken.tokenId, installerToken.tokenSecret, 'other2')).status,
    ).toBe(200);

    const signIn = await send(rekey.url, 'POST', '/v1/sessions', {
      token: null,
      body: { accountId: 'acme1', email: 'admin@acme.test', password },
    });
    expect(signIn.status).toBe(201);
    const cookie = signIn.headers
      .getSetCookie()
      .find((line) => line.startsWith('rekey_session='))!
      .split(';')[0]!;
    secrets.push(cookie.split('=')[1]!, signIn.json.csrfToken);
    expect(
      (
        await send(rekey.url, 'POST', '/v1/sessions', {
          token: null,
          body: { accountId: 'acme1', email: 'admin@acme.test', password: `${password}!` },
        })
      ).status,
    ).toBe(401);
    const member = await send(rekey.url, 'POST', '/v1/members', {
      token: null,
      headers: { cookie, 'x-csrf-token': signIn.json.csrfToken },
      body: { email: 'second@acme.test', roles: [], password: 'second secret password' },
    });
    expect(member.status).toBe(201);
    secrets.push('second secret password');
    await rekey.runtime.flush();

    const asSession = { token: null, headers: { cookie } };
    for (const [path, options] of [
      ['/v1/clients', {}],
      [`/v1/clients/${created.id}`, {}],
      [`/v1/clients/${created.id}/tokens`, {}],
      [`/v1/clients/${created.id}/bundles`, {}],
      ['/v1/audit?limit=500', {}],
      ['/v1/outbox', {}],
      ['/v1/members', {}],
      ['/v1/members/me', {}],
      ['/v1/roles', {}],
      ['/v1/admin-tokens', {}],
      ['/v1/sessions', asSession],
      ['/v1/clients', { token: rekey.other.token }],
      [`/v1/clients/${installed.id}`, { token: rekey.other.token }],
      [`/v1/clients/${installed.id}/tokens`, { token: rekey.other.token }],
      ['/v1/audit?limit=500', { token: rekey.other.token }],
      ['/v1/outbox', { token: rekey.other.token }],
    ] as const) {
      const answer = await rekey.request('GET', path, options);
      expect(answer.status, path).toBe(200);
      reads.push(answer.text);
    }
  });
  afterAll(async () => {
    await rekey.close();
  });

  const expectClean = (text: string, where: string): void => {
    for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    expect(text, where).not.toMatch(/rk_(sec|tok)_[0-9A-Za-z]{20}/);
  };

  it('collected the secrets it looks for', () => {
    expect(secrets).toHaveLength(8);
    expect(reads.length).toBeGreaterThan(10);
  });

  it('no GET or list response carries one', () => {
    for (const [index, text] of reads.entries()) expectClean(text, `read #${index}`);
  });

  it('no log line carries one', () => {
    expect(rekey.logs.length).toBeGreaterThan(10);
    expectClean(rekey.logs.join('\n'), 'logs');
  });

  it('no audit event, outbox message or any other database row carries one', async () => {
    const db = rekey.runtime.opened.db;
    const tables =
      db.dialect === 'sqlite'
        ? (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map(
            (row) => row.name,
          )
        : (
            await db.all<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()')
          ).map((row) => row.table_name);
    expect(tables).toEqual(
      expect.arrayContaining(['audit_events', 'outbox', 'tba_tokens', 'console_sessions', 'secret_versions', 'members']),
    );
    for (const table of tables) {
      const rows = await db.all<Record<string, unknown>>(`SELECT * FROM ${table}`);
      expectClean(JSON.stringify(rows), `table ${table}`);
    }
    const outbox = await db.all<{ payload: string }>('SELECT payload FROM outbox');
    expect(outbox.length).toBeGreaterThanOrEqual(2);
  });
});
