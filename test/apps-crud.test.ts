import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, limitedToken, secretsIn, whoami } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';

describe.each(STORE_KINDS)('apps (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const credentials = (token: string | null, headers: Record<string, string> = {}) =>
    send(rekey.url, 'GET', '/v1/app/credentials', { token, headers });

  it('create, slots, deploy, app credentials, list by key account, affectedApps, delete', async () => {
    const key = await createKeyAccount(rekey, {}, 'billing-key');
    const created = await rekey.request('POST', '/v1/apps', { body: { name: 'billing', config: { apiKeyId: key.id } } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.json).toMatchObject({ name: 'billing', config: { apiKeyId: key.id }, state: 'undeployed', secrets: [], hasToken: true });
    expect(created.json.id).toMatch(/^app_[0-9A-Za-z]{22}$/);
    expect(created.json.appToken).toMatch(/^rk_app_[0-9A-Za-z]{49}$/);
    const appId: string = created.json.id;
    const appToken: string = created.json.appToken;

    const slot = await rekey.request('PUT', `/v1/apps/${appId}/secrets/BILLING_KEY`, { body: { keyAccountId: key.id, value: key.secret } });
    expect(slot.status).toBe(200);
    expect(slot.json.secrets).toEqual([
      { name: 'BILLING_KEY', keyAccountId: key.id, versionId: key.versionId, versionState: 'current', updatedAt: expect.any(String) },
    ]);
    expect(secretsIn(slot.text)).toEqual([]);

    // Undeployed apps get no secrets.
    const early = await credentials(appToken);
    expect(early.json).toMatchObject({ status: 409, code: 'conflict', state: 'undeployed' });

    const deployed = await rekey.request('POST', `/v1/apps/${appId}/deploy`, { body: {} });
    expect(deployed.json.state).toBe('deployed');
    const fetched = await credentials(appToken);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('cache-control')).toBe('no-store');
    expect(fetched.json).toEqual({
      appId,
      name: 'billing',
      state: 'deployed',
      secrets: [{ name: 'BILLING_KEY', keyAccountId: key.id, value: key.secret, versionId: key.versionId }],
    });
    expect((await whoami(rekey.url, key.id, fetched.json.secrets[0].value)).status).toBe(200);

    // People never see the value: get, list, and the database holds ciphertext only.
    const got = await rekey.request('GET', `/v1/apps/${appId}`);
    const listed = await rekey.request('GET', '/v1/apps');
    const byKey = await rekey.request('GET', `/v1/apps?keyAccountId=${key.id}`);
    const ofKey = await rekey.request('GET', `/v1/clients/${key.id}/apps`);
    for (const response of [got, listed, byKey, ofKey]) {
      expect(response.status).toBe(200);
      expect(secretsIn(response.text)).toEqual([]);
    }
    expect(listed.json.items.map((item: { id: string }) => item.id)).toContain(appId);
    expect(byKey.json.items.map((item: { id: string }) => item.id)).toEqual([appId]);
    expect(ofKey.json.items.map((item: { id: string }) => item.id)).toEqual([appId]);
    const stored = await rekey.runtime.core.store.listAppSecrets(appId);
    expect(stored[0]!.valueCiphertext).not.toContain(key.secret);
    expect(stored[0]!.valueCiphertext).toMatch(/^v1\./);

    // A copied ciphertext does not decrypt under another app or slot (AAD binds app id + slot name).
    await rekey.runtime.core.store.putAppSecret({ ...stored[0]!, name: 'COPY' });
    expect(() => rekey.runtime.core.keyring.decrypt(stored[0]!.valueCiphertext, `app\u0000${appId}\u0000COPY`)).toThrow();
    await rekey.runtime.core.store.deleteAppSecret(appId, 'COPY');

    // Regenerate names the app; its slot now holds a retired secret, so redeploying is refused.
    const regenerated = await rekey.request('POST', `/v1/clients/${key.id}/regenerate`, { body: {} });
    expect(regenerated.json.affectedApps).toEqual([{ appId, name: 'billing' }]);
    expect((await rekey.request('GET', `/v1/apps/${appId}`)).json.secrets[0].versionState).toBe('retired');
    await rekey.request('POST', `/v1/apps/${appId}/undeploy`, { body: {} });
    const refused = await rekey.request('POST', `/v1/apps/${appId}/deploy`, { body: {} });
    expect(refused.json).toMatchObject({ status: 409, code: 'conflict', slots: ['BILLING_KEY'] });
    const stale = await rekey.request('PUT', `/v1/apps/${appId}/secrets/BILLING_KEY`, {
      body: { keyAccountId: key.id, value: key.secret },
    });
    expect(stale.json).toMatchObject({ status: 400, code: 'invalid_request', errors: [{ pointer: '/value' }] });
    await rekey.request('PUT', `/v1/apps/${appId}/secrets/BILLING_KEY`, { body: { keyAccountId: key.id, value: regenerated.json.secret } });
    expect((await rekey.request('POST', `/v1/apps/${appId}/deploy`, { body: {} })).json.state).toBe('deployed');

    const audit = await rekey.request('GET', `/v1/audit?clientId=${key.id}`);
    const types = audit.json.items.map((event: { type: string }) => event.type);
    for (const type of ['app.created', 'app.secret_updated', 'app.deployed', 'app.undeployed']) expect(types).toContain(type);
    expect(secretsIn(audit.text)).toEqual([]);

    // A new app token replaces the old one at once.
    const rotated = await rekey.request('POST', `/v1/apps/${appId}/token`, { body: {} });
    expect(rotated.status).toBe(201);
    expect(rotated.json.appToken).toMatch(/^rk_app_/);
    expect((await credentials(appToken)).json.code).toBe('bad_secret');
    expect((await credentials(rotated.json.appToken)).status).toBe(200);

    const renamed = await rekey.request('PATCH', `/v1/apps/${appId}`, { body: { name: 'billing-v2', config: { apiKeyId: null } } });
    expect(renamed.json).toMatchObject({ name: 'billing-v2', config: {} });

    expect((await rekey.request('DELETE', `/v1/apps/${appId}/secrets/BILLING_KEY`)).status).toBe(204);
    expect((await rekey.request('DELETE', `/v1/apps/${appId}/secrets/BILLING_KEY`)).status).toBe(404);
    expect((await rekey.request('DELETE', `/v1/apps/${appId}`)).status).toBe(204);
    expect((await rekey.request('GET', `/v1/apps/${appId}`)).status).toBe(404);
    expect((await credentials(rotated.json.appToken)).json.code).toBe('bad_secret');

    expect(rekey.logs.flatMap(secretsIn)).toEqual([]);
  });

  it('refuses bad input and changes nothing', async () => {
    const key = await createKeyAccount(rekey);
    const oauth = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'o' } });
    const bad = async (method: string, path: string, body: unknown, pointer?: string) => {
      const response = await rekey.request(method, path, { body });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(response.json.code).toBe('invalid_request');
      if (pointer) expect(response.json.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
    };
    await bad('POST', '/v1/apps', {}, '/name');
    await bad('POST', '/v1/apps', { name: '' }, '/name');
    await bad('POST', '/v1/apps', { name: 'x', extra: 1 }, '/extra');
    await bad('POST', '/v1/apps', { name: 'x', config: { apiKeyId: 5 } });
    await bad('POST', '/v1/apps', { name: 'x', config: { apiKeyId: oauth.json.id } }, '/config/apiKeyId');
    expect((await rekey.request('POST', '/v1/apps', { body: { name: 'x', config: { apiKeyId: 'cli_nope' } } })).json).toMatchObject({
      status: 404,
      resourceType: 'client',
    });
    expect(
      (await rekey.request('POST', '/v1/apps', { rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
        .status,
    ).toBe(415);
    expect((await rekey.request('GET', '/v1/apps')).json.items.filter((item: { name: string }) => item.name === 'x')).toEqual([]);

    const app = (await rekey.request('POST', '/v1/apps', { body: { name: 'checker' } })).json;
    await bad('PATCH', `/v1/apps/${app.id}`, {});
    await bad('PATCH', `/v1/apps/${app.id}`, { name: 7 });
    await bad('POST', `/v1/apps/${app.id}/deploy`, { now: true });
    await bad('PUT', `/v1/apps/${app.id}/secrets/KEY`, { keyAccountId: key.id }, '/value');
    await bad('PUT', `/v1/apps/${app.id}/secrets/KEY`, { keyAccountId: key.id, value: 'hunter2' }, '/value');
    await bad('PUT', `/v1/apps/${app.id}/secrets/KEY`, { keyAccountId: oauth.json.id, value: oauth.json.secret }, '/keyAccountId');
    await bad('PUT', `/v1/apps/${app.id}/secrets/bad%20name`, { keyAccountId: key.id, value: key.secret }, '/name');
    const other = await createKeyAccount(rekey);
    await bad('PUT', `/v1/apps/${app.id}/secrets/KEY`, { keyAccountId: key.id, value: other.secret }, '/value');
    await bad('GET', '/v1/apps?limit=5', undefined);
    await bad('POST', `/v1/apps/${app.id}/token`, { x: 1 });
    expect((await rekey.request('GET', `/v1/apps/${app.id}`)).json.secrets).toEqual([]);

    // The app-credentials endpoint: missing, malformed and unknown tokens.
    const missing = await credentials(null);
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ code: 'unauthenticated', realm: 'app' });
    expect(missing.headers.get('www-authenticate')).toContain('Bearer realm="app"');
    expect((await credentials('rk_app_nope')).json.code).toBe('malformed_credential');
    expect((await credentials(rekey.main.token)).json.code).toBe('malformed_credential');
    expect((await credentials(null, { authorization: 'Basic abc' })).json.code).toBe('unauthenticated');
    const forged = 'rk_app_' + app.id.slice(4, 4 + 43).padEnd(43, 'A');
    expect((await credentials(forged)).status).toBe(401);
  });

  it("needs credentials and the permission; another account's ids are 404", async () => {
    const key = await createKeyAccount(rekey);
    const app = (await rekey.request('POST', '/v1/apps', { body: { name: 'mine', config: { apiKeyId: key.id } } })).json;
    const calls: Array<[string, string, unknown?]> = [
      ['POST', '/v1/apps', { name: 'x' }],
      ['GET', '/v1/apps'],
      ['GET', `/v1/apps/${app.id}`],
      ['PATCH', `/v1/apps/${app.id}`, { name: 'y' }],
      ['DELETE', `/v1/apps/${app.id}`],
      ['POST', `/v1/apps/${app.id}/deploy`, {}],
      ['POST', `/v1/apps/${app.id}/undeploy`, {}],
      ['PUT', `/v1/apps/${app.id}/secrets/KEY`, { keyAccountId: key.id, value: key.secret }],
      ['DELETE', `/v1/apps/${app.id}/secrets/KEY`],
      ['POST', `/v1/apps/${app.id}/token`, {}],
      ['GET', `/v1/clients/${key.id}/apps`],
    ];
    const reader = await limitedToken(rekey, ['audit.read']);
    for (const [method, path, body] of calls) {
      const options = body === undefined ? {} : { body };
      expect((await rekey.request(method, path, { ...options, token: null })).status, `${method} ${path} without token`).toBe(401);
      expect(
        (await rekey.request(method, path, { ...options, token: 'rk_adm_' + 'A'.repeat(49) })).status,
        `${method} ${path} wrong token`,
      ).toBe(401);
      expect((await rekey.request(method, path, { ...options, token: reader })).json, `${method} ${path} forbidden`).toMatchObject({
        status: 403,
        code: 'forbidden',
      });
      if (path.includes(app.id) || path.includes(key.id)) {
        const foreign = await rekey.request(method, path, { ...options, token: rekey.other.token });
        expect(foreign.status, `${method} ${path} from another account`).toBe(404);
        expect(foreign.json.code).toBe('not_found');
      }
    }
    // Another account cannot point its apps at this account's key account either.
    const otherApp = await rekey.request('POST', '/v1/apps', {
      token: rekey.other.token,
      body: { name: 'theirs', config: { apiKeyId: key.id } },
    });
    expect(otherApp.status).toBe(404);
    const theirs = (await rekey.request('POST', '/v1/apps', { token: rekey.other.token, body: { name: 'theirs' } })).json;
    const cross = await rekey.request('PUT', `/v1/apps/${theirs.id}/secrets/KEY`, {
      token: rekey.other.token,
      body: { keyAccountId: key.id, value: key.secret },
    });
    expect(cross.json).toMatchObject({ status: 404, resourceType: 'client' });
    expect((await rekey.request('GET', `/v1/apps?keyAccountId=${key.id}`, { token: rekey.other.token })).status).toBe(404);
    // The other account's list does not show this account's apps.
    const theirList = await rekey.request('GET', '/v1/apps', { token: rekey.other.token });
    expect(theirList.json.items.map((item: { id: string }) => item.id)).toEqual([theirs.id]);
    expect((await rekey.request('GET', `/v1/apps/${app.id}`)).json.name).toBe('mine');
  });
});
