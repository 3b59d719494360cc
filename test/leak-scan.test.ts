import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedFetch } from '@rekey/sdk';
import { startRekey, type Rekey, type RequestOptions, type TestResponse } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

/**
 * Secrets are radioactive: after a tour of issuing, rotating, authenticating (well and badly) and
 * failing, no issued secret may appear in a log line, a response that did not issue it, an audit
 * or outbox row, or anywhere in a dump of the database.
 */
describe.each(STORE_KINDS)('secret leak scan (%s)', (kind) => {
  let rekey: Rekey;
  const secrets = new Set<string>();
  const nonIssuing: TestResponse[] = [];

  const issue = async (method: string, path: string, options: RequestOptions): Promise<TestResponse> => {
    const response = await rekey.request(method, path, options);
    for (const match of response.text.matchAll(/rk_(?:sec|tok|adm|app)_[0-9A-Za-z]{49}/g)) secrets.add(match[0]);
    return response;
  };
  const call = async (method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> => {
    const response = await rekey.request(method, path, options);
    nonIssuing.push(response);
    return response;
  };

  beforeAll(async () => {
    rekey = await startRekey(kind);
    secrets.add(rekey.main.token);
    secrets.add(rekey.other.token);

    const clients: Array<{ id: string; secret: string; profile: string }> = [];
    for (const profile of ['oauth', 'apikey', 'integrator', 'tba']) {
      const created = await issue('POST', '/v1/clients', { body: { profile, name: `leak-${profile}` } });
      expect(created.status).toBe(201);
      clients.push({ id: created.json.id, secret: created.json.secret ?? created.json.consumerSecret, profile });
    }
    const [oauth, apikey, integrator] = clients as [(typeof clients)[0], (typeof clients)[0], (typeof clients)[0]];
    const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

    await call('GET', '/v1/whoami', { token: null, headers: basic(oauth.id, oauth.secret) });
    await call('GET', '/v1/whoami', { token: null, headers: basic(oauth.id, apikey.secret) });
    await call('GET', '/v1/whoami', { token: null, headers: basic(apikey.id, apikey.secret) });
    await call('GET', '/v1/whoami', { token: null, headers: basic('cli_unknown', oauth.secret) });
    await call('POST', '/v1/verify', {
      body: { method: 'GET', url: 'https://api.example.test/x', headers: basic(oauth.id, oauth.secret) },
    });
    const rotated = await issue('POST', `/v1/clients/${oauth.id}/regenerate`, {
      body: { graceSeconds: 30 },
      headers: { 'idempotency-key': 'leak-1' },
    });
    await issue('POST', `/v1/clients/${oauth.id}/regenerate`, { body: { graceSeconds: 30 }, headers: { 'idempotency-key': 'leak-1' } });
    await issue('POST', `/v1/clients/${oauth.id}/regenerate`, { body: {} });
    await call('GET', '/v1/whoami', { token: null, headers: basic(oauth.id, rotated.json.secret) });
    await call('GET', '/v1/whoami', { token: null, headers: basic(oauth.id, oauth.secret) });
    await call('POST', `/v1/clients/${oauth.id}/regenerate`, { body: { graceSeconds: 'x' } });
    await call('POST', '/v1/clients', { body: { profile: 'oauth', name: 'x', secret: oauth.secret } });

    const response = await signedFetch(
      { clientId: integrator.id, secret: integrator.secret },
      `${rekey.url}/v1/integrator/regenerate-secret`,
      { method: 'POST', body: '{"oldSecretValidForSeconds":10}' },
    );
    const rotatedIntegrator = (await response.json()) as { secret: string };
    secrets.add(rotatedIntegrator.secret);
    await signedFetch({ clientId: integrator.id, secret: integrator.secret }, `${rekey.url}/v1/whoami`);
    await signedFetch({ clientId: integrator.id, secret: apikey.secret }, `${rekey.url}/v1/whoami`);

    const token = await issue('POST', '/v1/admin-tokens', { body: { name: 'scripts', permissions: ['credentials.read'] } });
    await call('GET', '/v1/clients', { token: token.json.token });
    await call('GET', '/v1/admin-tokens');
    await call('GET', `/v1/clients/${oauth.id}`);
    await call('GET', '/v1/clients');
    await call('GET', '/v1/audit');
    await call('GET', '/v1/outbox');
    await call('DELETE', `/v1/clients/${apikey.id}`);
    await rekey.runtime.flush();
  });
  afterAll(async () => {
    await rekey.close();
  });

  const leaks = (text: string): string[] => [...secrets].filter((secret) => text.includes(secret));

  it('issued at least one secret of every kind it exercised', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(10);
  });

  it('keeps secrets out of the logs, which are not empty', () => {
    expect(rekey.logs.length).toBeGreaterThan(5);
    expect(rekey.logs.some((line) => line.includes('"level":30'))).toBe(true);
    expect(leaks(rekey.logs.join('\n'))).toEqual([]);
  });

  it('keeps secrets out of every response that did not issue them', () => {
    expect(nonIssuing.length).toBeGreaterThan(10);
    for (const response of nonIssuing) expect(leaks(response.text)).toEqual([]);
  });

  it('keeps secrets out of the database: audit, outbox and every other table', async () => {
    const db = rekey.runtime.opened.db;
    const tables =
      db.dialect === 'sqlite'
        ? (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map(
            (row) => row.name,
          )
        : (
            await db.all<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')
          ).map((row) => row.name);
    expect(tables).toEqual(expect.arrayContaining(['audit_events', 'outbox', 'secret_versions', 'idempotency_keys', 'admin_tokens']));
    let rows = 0;
    for (const table of tables) {
      const dump = await db.all<Record<string, unknown>>(`SELECT * FROM ${table}`);
      rows += dump.length;
      expect(leaks(JSON.stringify(dump)), table).toEqual([]);
    }
    expect(rows).toBeGreaterThan(20);
    const audit = await db.all<Record<string, unknown>>('SELECT * FROM audit_events');
    expect(audit.length).toBeGreaterThan(5);
    const outbox = await db.all<Record<string, unknown>>('SELECT * FROM outbox');
    expect(outbox.length).toBeGreaterThan(0);
  });
});
