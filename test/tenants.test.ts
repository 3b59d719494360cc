import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormedCredential } from '../src/core/kernel/index.js';
import { runCli } from './support/cli.js';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

interface Operation {
  method: string;
  path: string;
}

/** SPEC §13: further tenants by CLI and by the operator API, operator tokens, and isolation between tenants. */
describe.each(STORE_KINDS)('tenants (%s)', (kind) => {
  let rekey: Rekey;
  let operatorToken: string;
  let operatorTokenId: string;
  let third: { accountId: string; memberId: string; adminToken: string };
  let fourth: { accountId: string; memberId: string; adminToken: string };
  let operations: Operation[];

  beforeAll(async () => {
    rekey = await startRekey(kind);
    const spec = await rekey.request('GET', '/openapi.json', { token: null });
    operations = Object.entries(spec.json.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(async () => {
    await rekey?.close();
  });

  it('makes an operator token by CLI (rk_op_, its own checksum, stored hashed) and a tenant with `accounts create`, shaped as init', async () => {
    const token = await runCli(['operator-tokens', 'create', '--name', 'platform', '--json'], rekey.env);
    expect(token.code, token.stderr).toBe(0);
    const created = JSON.parse(token.stdout) as { id: string; token: string; name: string };
    expect(created.id).toMatch(/^opt_/);
    expect(isWellFormedCredential(created.token, 'operatorToken')).toBe(true);
    expect(isWellFormedCredential(created.token, 'adminToken')).toBe(false);
    // A typo breaks the checksum.
    const typo = created.token.slice(0, 10) + (created.token[10] === 'a' ? 'b' : 'a') + created.token.slice(11);
    expect(isWellFormedCredential(typo, 'operatorToken')).toBe(false);
    operatorToken = created.token;
    operatorTokenId = created.id;
    const stored = await rekey.runtime.core.store.listOperatorTokens();
    expect(stored.map((row) => row.id)).toContain(created.id);
    expect(JSON.stringify(stored)).not.toContain(created.token);

    const made = await runCli(
      ['accounts', 'create', '--account', 'tenant3', '--name', 'Third', '--admin-email', 'admin@third.test', '--json'],
      rekey.env,
    );
    expect(made.code, made.stderr).toBe(0);
    third = JSON.parse(made.stdout);
    expect(Object.keys(third).sort()).toEqual(['accountId', 'adminToken', 'memberId']);
    expect(third.accountId).toBe('tenant3');
    expect(isWellFormedCredential(third.adminToken, 'adminToken')).toBe(true);
    // init still refuses a database that has accounts.
    const init = await runCli(['init', '--account', 'again', '--name', 'Again', '--admin-email', 'a@again.test', '--json'], rekey.env);
    expect(init.code).not.toBe(0);
    const again = await runCli(['accounts', 'create', '--account', 'tenant3', '--name', 'Dup', '--admin-email', 'x@y.test'], rekey.env);
    expect(again.code).toBe(4);
  });

  it('creates and lists accounts through the operator API; admin tokens get 403 there, no token 401', async () => {
    const created = await rekey.request('POST', '/v1/accounts', {
      token: operatorToken,
      body: { accountId: 'tenant4', name: 'Fourth', adminEmail: 'admin@fourth.test', adminPassword: 'fourth password 1' },
    });
    expect(created.status, created.text).toBe(201);
    expect(Object.keys(created.json).sort()).toEqual(['accountId', 'adminToken', 'memberId']);
    fourth = created.json;
    const listed = await rekey.request('GET', '/v1/accounts', { token: operatorToken });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((item: { accountId: string }) => item.accountId)).toEqual(
      expect.arrayContaining(['acme1', 'other2', 'tenant3', 'tenant4']),
    );

    for (const token of [rekey.main.token, rekey.other.token, third.adminToken, fourth.adminToken]) {
      for (const [method, body] of [
        ['GET', undefined],
        ['POST', { accountId: 'sneaky', name: 'Sneaky', adminEmail: 'a@b.test' }],
      ] as const) {
        const refused = await rekey.request(method, '/v1/accounts', { token, ...(body ? { body } : {}) });
        expect(refused.status, `${method} with an admin token`).toBe(403);
        expect(refused.json.code).toBe('forbidden');
      }
    }
    const anonymous = await rekey.request('GET', '/v1/accounts', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBeTruthy();
    expect((await rekey.request('GET', '/v1/accounts', { token: 'rk_op_notAToken' })).json.code).toBe('malformed_credential');

    const sandbox = await rekey.request('POST', '/v1/accounts', {
      token: operatorToken,
      body: { accountId: 'tenant4_SB1', name: 'Sandbox', adminEmail: 'a@b.test' },
    });
    expect(sandbox.status).toBe(400);
    const duplicate = await rekey.request('POST', '/v1/accounts', {
      token: operatorToken,
      body: { accountId: 'tenant3', name: 'Dup', adminEmail: 'a@b.test' },
    });
    expect(duplicate.status).toBe(409);
    expect((await rekey.runtime.core.store.listAccounts()).map((account) => account.id)).not.toContain('sneaky');

    const events = await rekey.runtime.core.store.listOperatorEvents(50);
    expect(events.filter((event) => event.type === 'account.created').map((event) => event.accountId)).toEqual(
      expect.arrayContaining(['tenant3', 'tenant4']),
    );
  });

  it('refuses an operator token on every account route', async () => {
    // Routes anyone may call (they authenticate through their body, or are public) are not account routes.
    const open = new Set(['POST /v1/sessions', 'POST /v1/register', 'GET /v1/first-run']);
    const accountRoutes = operations.filter(
      (op) => op.path.startsWith('/v1/') && op.path !== '/v1/accounts' && !open.has(`${op.method} ${op.path}`),
    );
    expect(accountRoutes.length).toBeGreaterThan(20);
    for (const op of accountRoutes) {
      const response = await rekey.request(op.method, op.path.replace(/\{[A-Za-z]+\}/g, 'cli_x'), {
        token: operatorToken,
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} }),
      });
      expect([401, 403], `${op.method} ${op.path}`).toContain(response.status);
    }
    const clients = await rekey.request('GET', '/v1/clients', { token: operatorToken });
    expect(clients.status).toBe(403);
    expect(clients.json.code).toBe('forbidden');
  });

  it('keeps the new tenants apart: every route with an id answers 404 for the other tenant’s ids (the hidden-id rule)', async () => {
    const made = await rekey.request('POST', '/v1/clients', { token: third.adminToken, body: { profile: 'apikey', name: 'Third only' } });
    expect(made.status).toBe(201);
    const theirs = made.json as { id: string; versionId: string; secret: string };
    const fourthsOwn = await rekey.request('POST', '/v1/clients', {
      token: fourth.adminToken,
      body: { profile: 'oauth', name: 'Fourth only' },
    });
    expect(fourthsOwn.status).toBe(201);

    for (const [token, foreign, own] of [
      [fourth.adminToken, theirs.id, fourthsOwn.json.id],
      [third.adminToken, fourthsOwn.json.id, theirs.id],
      [rekey.main.token, theirs.id, null],
    ] as const) {
      const list = await rekey.request('GET', '/v1/clients', { token });
      expect(list.status).toBe(200);
      const ids = list.json.items.map((item: { id: string }) => item.id);
      expect(ids).not.toContain(foreign);
      if (own) expect(ids).toContain(own);
      for (const op of operations.filter((candidate) => candidate.path.startsWith('/v1/') && candidate.path.includes('{'))) {
        if (op.path === '/v1/bundles/{bundleId}/install') continue; // names another account's bundle by design
        const path = op.path.replace(/\{versionId\}/g, theirs.versionId).replace(/\{[A-Za-z]+\}/g, encodeURIComponent(foreign));
        const response = await rekey.request(op.method, path, {
          token,
          ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} }),
        });
        expect([404, 400], `${op.method} ${op.path}`).toContain(response.status);
        expect(response.text).not.toContain('Third only');
        expect(response.text).not.toContain('Fourth only');
      }
    }
    // The third tenant's client is untouched and works on the data plane.
    const still = await rekey.request('GET', `/v1/clients/${theirs.id}`, { token: third.adminToken });
    expect(still.json.state).toBe('active');
    const whoami = await fetch(`${rekey.url}/v1/whoami`, {
      headers: { authorization: `Basic ${Buffer.from(`${theirs.id}:${theirs.secret}`).toString('base64')}` },
    });
    expect(((await whoami.json()) as { accountId: string }).accountId).toBe('tenant3');
  });

  it('lists and revokes operator tokens; a revoked token is refused', async () => {
    const listed = await runCli(['operator-tokens', 'list', '--json'], rekey.env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((item: { id: string }) => item.id)).toContain(operatorTokenId);
    expect(listed.stdout).not.toContain(operatorToken);
    const revoked = await runCli(['operator-tokens', 'revoke', operatorTokenId, '--json'], rekey.env);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await rekey.request('GET', '/v1/accounts', { token: operatorToken });
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('revoked');
    const cliList = await runCli(['accounts', 'list', '--json'], rekey.env);
    expect(JSON.parse(cliList.stdout).items.map((item: { accountId: string }) => item.accountId)).toEqual(
      expect.arrayContaining(['acme1', 'other2', 'tenant3', 'tenant4']),
    );
  });
});
