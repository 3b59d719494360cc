import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCredential } from '../src/core/kernel/credential-format.js';
import { cryptoRandom } from '../src/core/kernel/random.js';
import { runCli } from './support/cli.js';
import { limitedToken } from './support/key-accounts.js';
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

interface Mapping {
  parentClientId: string;
  clientId: string;
  profile: string;
  name: string;
}

describe.each(STORE_KINDS)('sandboxes (%s)', (kind) => {
  let rekey: Rekey;
  let sandboxToken: string;
  const prod: Record<string, { id: string; secret: string }> = {};

  beforeAll(async () => {
    rekey = await startRekey(kind);
    await preparePortalMembers(rekey);
    for (const [profile, name] of [
      ['apikey', 'Prod key'],
      ['oauth', 'Prod oauth'],
      ['tba', 'Prod integration'],
    ] as const) {
      const created = await rekey.request('POST', '/v1/clients', { body: { profile, name } });
      expect(created.status).toBe(201);
      prod[profile] = { id: created.json.id, secret: created.json.secret ?? created.json.consumerSecret };
    }
    expect((await register(rekey)).status).toBe(200);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it("creates <id>_SB<n> with copies of the members and roles; the parent's Administrators administer it", async () => {
    const created = await rekey.request('POST', '/v1/accounts/acme1/sandboxes', { body: {} });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      accountId: 'acme1_SB1',
      kind: 'sandbox',
      parentId: 'acme1',
      name: 'Acme sandbox 1',
      members: 3,
      adminToken: expect.stringMatching(/^rk_adm_/),
    });
    sandboxToken = created.json.adminToken;

    const members = await rekey.request('GET', '/v1/members', { token: sandboxToken });
    expect(members.json.items.map((member: { email: string }) => member.email).sort()).toEqual([
      'admin@acme.test',
      'portal@acme.test',
      'reader@acme.test',
    ]);
    const me = await rekey.request('GET', '/v1/members/me', { token: sandboxToken });
    expect(me.json).toMatchObject({ accountId: 'acme1_SB1', email: 'admin@acme.test', roles: ['Administrator'] });
    const roles = await rekey.request('GET', '/v1/roles', { token: sandboxToken });
    expect(roles.json.items.map((role: { name: string }) => role.name)).toEqual(['Administrator', 'Portal Admin', 'Reader']);
    expect((await rekey.request('GET', '/v1/clients', { token: sandboxToken })).json.items).toEqual([]);
    // Account scoping stays strict both ways.
    expect((await rekey.request('GET', `/v1/clients/${prod.apikey!.id}`, { token: sandboxToken })).status).toBe(404);
    // The parent's Administrator signs in to the sandbox with the same password.
    const session = await signIn(rekey, 'acme1_SB1', 'admin@acme.test', ADMIN_PASSWORD);
    expect((await asSession(rekey, session, 'GET', '/v1/members/me')).json.accountId).toBe('acme1_SB1');

    const second = await rekey.request('POST', '/v1/accounts/acme1/sandboxes', { body: { name: 'UAT' } });
    expect(second.json).toMatchObject({ accountId: 'acme1_SB2', name: 'UAT' });
    const listed = await rekey.request('GET', '/v1/accounts/acme1/sandboxes');
    expect(listed.json.items.map((item: { accountId: string }) => item.accountId)).toEqual(['acme1_SB1', 'acme1_SB2']);
    const audit = await rekey.request('GET', '/v1/audit?type=sandbox.created');
    expect(audit.json.items).toHaveLength(2);
    // Another token for your copy, from the parent side.
    const token = await rekey.request('POST', '/v1/accounts/acme1_SB2/admin-tokens', { body: {} });
    expect(token.status).toBe(201);
    expect((await rekey.request('GET', '/v1/members/me', { token: token.json.adminToken })).json.accountId).toBe('acme1_SB2');
  });

  it('refuses other accounts, sandboxes of sandboxes, callers without accounts.manage and bad input', async () => {
    expect((await rekey.request('POST', '/v1/accounts/other2/sandboxes', { body: {} })).status).toBe(404);
    expect((await rekey.request('POST', '/v1/accounts/acme1/sandboxes', { token: rekey.other.token, body: {} })).status).toBe(404);
    expect((await rekey.request('POST', '/v1/accounts/acme1_SB1/refresh', { token: rekey.other.token, body: {} })).status).toBe(404);
    // Refresh is done from the parent's side; the sandbox cannot refresh itself, and production is no sandbox.
    expect((await rekey.request('POST', '/v1/accounts/acme1_SB1/refresh', { token: sandboxToken, body: {} })).status).toBe(404);
    expect((await rekey.request('POST', '/v1/accounts/acme1/refresh', { body: {} })).status).toBe(404);
    const nested = await rekey.request('POST', '/v1/accounts/acme1_SB1/sandboxes', { token: sandboxToken, body: {} });
    expect(nested.status).toBe(409);
    const limited = await limitedToken(rekey, ['credentials.manage', 'credentials.read']);
    const denied = await rekey.request('POST', '/v1/accounts/acme1/sandboxes', { token: limited, body: {} });
    expect(denied.status).toBe(403);
    expect((await rekey.request('POST', '/v1/accounts/acme1_SB1/refresh', { token: limited, body: {} })).status).toBe(403);
    expect((await rekey.request('POST', '/v1/accounts/acme1/sandboxes', { body: { name: '' } })).status).toBe(400);
    expect((await rekey.request('POST', '/v1/accounts/acme1/sandboxes', { body: { parent: 'x' } })).status).toBe(400);
    expect((await rekey.request('POST', '/v1/accounts/acme1_SB1/refresh', { body: { keep: true } })).status).toBe(400);
    expect((await rekey.request('GET', '/v1/accounts/acme1/sandboxes')).json.items).toHaveLength(2);
  });

  it('refresh: every access key in the sandbox is gone, the configuration is there under new ids, production is untouched', async () => {
    // Life in the sandbox: clients, a tba token, the portal, an app token, a session, another admin token.
    const me = (await rekey.request('GET', '/v1/members/me', { token: sandboxToken })).json;
    const sandboxKey = await rekey.request('POST', '/v1/clients', {
      token: sandboxToken,
      body: { profile: 'apikey', name: 'Sandbox key' },
    });
    const sandboxTba = await rekey.request('POST', '/v1/clients', {
      token: sandboxToken,
      body: { profile: 'tba', name: 'Sandbox integration' },
    });
    const tbaToken = await rekey.request('POST', `/v1/clients/${sandboxTba.json.id}/tokens`, {
      token: sandboxToken,
      body: { memberId: me.id, role: 'Administrator' },
    });
    expect(tbaToken.status, tbaToken.text).toBe(201);
    expect((await whoami(rekey, sandboxKey.json.id, sandboxKey.json.secret)).status).toBe(200);
    const sandboxPortal = await register(rekey, { companyId: 'acme1_SB1', email: 'portal@acme.test', password: PORTAL_PASSWORD });
    expect(sandboxPortal.status, sandboxPortal.text).toBe(200);
    const sandboxApp = await portalAppCredentials(rekey, sandboxToken);
    const session = await signIn(rekey, 'acme1_SB1', 'portal@acme.test', PORTAL_PASSWORD);
    const extraToken = (await rekey.request('POST', '/v1/admin-tokens', { token: sandboxToken, body: { name: 'ci' } })).json.token;
    expect((await rekey.request('GET', '/v1/clients', { token: extraToken })).status).toBe(200);
    const oldSandboxClients = (await rekey.request('GET', '/v1/clients', { token: sandboxToken })).json.items.map(
      (client: { id: string }) => client.id,
    );

    const prodBefore = await rekey.request('GET', '/v1/clients');
    const prodPortal = await portalAppCredentials(rekey);

    const refreshed = await rekey.request('POST', '/v1/accounts/acme1_SB1/refresh', { body: {} });
    expect(refreshed.status, refreshed.text).toBe(200);
    const result = refreshed.json;
    expect(result).toMatchObject({ sandboxId: 'acme1_SB1', parentId: 'acme1', adminToken: expect.stringMatching(/^rk_adm_/), skipped: [] });
    expect(result.deleted).toMatchObject({ clients: oldSandboxClients.length, tokens: 1, appTokens: 1, sessions: expect.any(Number) });
    expect(result.deleted.secretVersions).toBe(3);
    expect(result.deleted.adminTokens).toBeGreaterThanOrEqual(2);
    expect(result.deleted.sessions).toBeGreaterThanOrEqual(2);
    const mapping = result.clients as Mapping[];
    const prodIds = prodBefore.json.items.map((client: { id: string }) => client.id);
    expect(mapping.map((entry) => entry.parentClientId).sort()).toEqual([...prodIds].sort());
    for (const entry of mapping) {
      expect(prodIds).not.toContain(entry.clientId);
      expect(oldSandboxClients).not.toContain(entry.clientId);
    }

    // Keys, tokens and sessions are gone.
    expect((await rekey.request('GET', '/v1/clients', { token: sandboxToken })).status).toBe(401);
    expect((await rekey.request('GET', '/v1/clients', { token: extraToken })).status).toBe(401);
    expect((await asSession(rekey, session, 'GET', '/v1/members/me')).status).toBe(401);
    expect((await send(rekey.url, 'GET', '/v1/app/credentials', { token: sandboxApp.appToken })).status).toBe(401);
    expect((await whoami(rekey, sandboxKey.json.id, sandboxKey.json.secret)).status).toBe(401);
    expect((await whoami(rekey, sandboxApp.keyAccountId, sandboxApp.value)).status).toBe(401);
    const newToken = result.adminToken as string;
    expect((await rekey.request('GET', `/v1/clients/${sandboxTba.json.id}/tokens`, { token: newToken })).json.items).toEqual([]);
    for (const id of oldSandboxClients) {
      expect(await rekey.runtime.core.store.listVersions(id)).toEqual([]);
      expect((await rekey.request('GET', `/v1/clients/${id}`, { token: newToken })).json.state).toBe('deleted');
    }

    // The configuration is present under new ids, with no secret: no_credentials until registered or regenerated.
    const byName = new Map(mapping.map((entry) => [entry.name, entry]));
    for (const source of prodBefore.json.items) {
      const copy = await rekey.request('GET', `/v1/clients/${byName.get(source.name)!.clientId}`, { token: newToken });
      expect(copy.json).toMatchObject({
        accountId: 'acme1_SB1',
        profile: source.profile,
        name: source.name,
        state: 'active',
        versions: [],
      });
      if (source.profile === 'tba') expect(copy.json.consumerKey).not.toBe(source.consumerKey);
      if (source.registrationOnly) expect(copy.json.registrationOnly).toBe(true);
    }
    const keyCopy = byName.get('Prod key')!.clientId;
    for (const secret of [prod.apikey!.secret, generateCredential('secret', cryptoRandom)]) {
      const answer = await whoami(rekey, keyCopy, secret);
      expect(answer.status).toBe(401);
      expect(answer.json.code).toBe('no_credentials');
    }
    const apps = await rekey.request('GET', '/v1/apps', { token: newToken });
    expect(apps.json.items).toHaveLength(1);
    expect(apps.json.items[0]).toMatchObject({
      name: 'portal',
      state: 'undeployed',
      hasToken: false,
      secrets: [],
      config: { apiKeyId: byName.get('Portal key account')!.clientId },
    });

    // Recorded in both accounts' audit; the sandbox's administrators are mailed.
    for (const token of [rekey.main.token, newToken]) {
      const audit = await rekey.request('GET', '/v1/audit?type=sandbox.refreshed', { token });
      expect(audit.json.items[0].data.clients).toEqual(mapping.map(({ parentClientId, clientId }) => ({ parentClientId, clientId })));
    }
    const mails = await rekey.runtime.core.store.listOutbox('acme1_SB1', { type: 'sandbox.refreshed', limit: 10 });
    expect(mails.map((mail) => mail.recipient)).toEqual(['admin@acme.test']);
    expect(String(mails[0]!.payload.text)).toContain(keyCopy);

    // Production is untouched.
    const prodAfter = await rekey.request('GET', '/v1/clients');
    expect(prodAfter.json).toEqual(prodBefore.json);
    expect((await whoami(rekey, prod.apikey!.id, prod.apikey!.secret)).status).toBe(200);
    const prodPortalAfter = await portalAppCredentials(rekey, rekey.main.token, { newToken: prodPortal.appToken });
    expect(prodPortalAfter.value).toBe(prodPortal.value);
    expect((await whoami(rekey, prodPortal.keyAccountId, prodPortal.value)).status).toBe(200);

    // Registering the sandbox again brings its portal back, on the copied key account.
    const again = await register(rekey, { companyId: 'acme1_SB1', email: 'portal@acme.test', password: PORTAL_PASSWORD });
    expect(again.status, again.text).toBe(200);
    expect(again.json.clientId).toBe(byName.get('Portal key account')!.clientId);
    const revived = await portalAppCredentials(rekey, newToken);
    expect((await whoami(rekey, revived.keyAccountId, revived.value)).status).toBe(200);
    // And a regenerate issues a copy its first secret.
    const regenerated = await rekey.request('POST', `/v1/clients/${keyCopy}/regenerate`, { token: newToken, body: {} });
    expect((await whoami(rekey, keyCopy, regenerated.json.secret)).status).toBe(200);
  });

  it('copies a bundle installation as an installation of the same bundle, and skips one whose bundle is gone', async () => {
    const owned = await rekey.request('POST', '/v1/clients', {
      token: rekey.other.token,
      body: { profile: 'tba', name: 'Published integration' },
    });
    const bundle = await rekey.request('POST', `/v1/clients/${owned.json.id}/bundles`, { token: rekey.other.token, body: {} });
    const installed = await rekey.request('POST', `/v1/bundles/${bundle.json.bundleId}/install`, { body: {} });
    expect(installed.status, installed.text).toBe(201);

    const refreshed = await rekey.request('POST', '/v1/accounts/acme1_SB2/refresh', { body: {} });
    expect(refreshed.status, refreshed.text).toBe(200);
    const copy = (refreshed.json.clients as Mapping[]).find((entry) => entry.parentClientId === installed.json.id)!;
    const view = await rekey.request('GET', `/v1/clients/${copy.clientId}`, { token: refreshed.json.adminToken });
    expect(view.json).toMatchObject({ ownerAccountId: 'other2', bundleId: bundle.json.bundleId, consumerKey: owned.json.consumerKey });
    const installations = await rekey.request('GET', `/v1/clients/${owned.json.id}/bundles`, { token: rekey.other.token });
    expect(installations.json.items[0].installations.map((item: { accountId: string }) => item.accountId).sort()).toEqual([
      'acme1',
      'acme1_SB2',
    ]);

    expect((await rekey.request('DELETE', `/v1/clients/${owned.json.id}`, { token: rekey.other.token })).status).toBe(204);
    const again = await rekey.request('POST', '/v1/accounts/acme1_SB2/refresh', { body: {} });
    expect(again.json.skipped).toEqual([{ parentClientId: installed.json.id, reason: expect.any(String) }]);
  });

  it('`rekey sandboxes` and `rekey webhooks` run the same commands from the CLI', async () => {
    const env = { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token };
    const listed = await runCli(['sandboxes', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((item: { accountId: string }) => item.accountId)).toEqual(['acme1_SB1', 'acme1_SB2']);
    const refreshed = await runCli(['sandboxes', 'refresh', 'acme1_SB2', '--yes', '--json'], env);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ sandboxId: 'acme1_SB2', adminToken: expect.stringMatching(/^rk_adm_/) });
    expect((await runCli(['sandboxes', 'refresh', 'other2', '--yes'], env)).code).toBe(3);
    // Without REKEY_WEBHOOK_ALLOW a loopback target is refused.
    const refused = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/hook'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/REKEY_WEBHOOK_ALLOW/);
  });

  it('refreshing again replaces the copies once more, with fresh ids', async () => {
    const first = (await rekey.request('GET', '/v1/audit?type=sandbox.refreshed')).json.items[0].data.clients as Mapping[];
    const refreshed = await rekey.request('POST', '/v1/accounts/acme1_SB1/refresh', { body: {} });
    expect(refreshed.status).toBe(200);
    for (const entry of refreshed.json.clients as Mapping[]) {
      expect(first.map((old) => old.clientId)).not.toContain(entry.clientId);
    }
    const live = await rekey.request('GET', '/v1/clients', { token: refreshed.json.adminToken });
    expect(
      live.json.items
        .filter((client: { state: string }) => client.state === 'active')
        .map((client: { id: string }) => client.id)
        .sort(),
    ).toEqual((refreshed.json.clients as Mapping[]).map((entry) => entry.clientId).sort());
  });
});
