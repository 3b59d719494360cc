import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader } from '../src/protocols/oauth1.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

describe.each(STORE_KINDS)('bundles (%s)', (kind) => {
  let rekey: Rekey;
  let owner: { id: string; consumerKey: string; consumerSecret: string };
  let bundleId: string;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    owner = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Shipping app' } })).json;
  });
  afterAll(async () => {
    await rekey.close();
  });

  const whoami = (
    consumer: { consumerKey: string; consumerSecret: string },
    token: { tokenId: string; tokenSecret: string },
    realm: string,
  ) =>
    send(rekey.url, 'GET', '/v1/whoami', {
      token: null,
      headers: {
        authorization: buildOAuthHeader({
          ...consumer,
          token: token.tokenId,
          tokenSecret: token.tokenSecret,
          method: 'GET',
          url: `${rekey.config.publicUrl}/v1/whoami`,
          realm,
        }),
      },
    });

  it('publishes a record as a bundle; publishing again returns the same bundle', async () => {
    const published = await rekey.request('POST', `/v1/clients/${owner.id}/bundles`, { body: {} });
    expect(published.status).toBe(201);
    expect(Object.keys(published.json)).toEqual(['bundleId']);
    expect(published.json.bundleId).toMatch(/^bnd_/);
    bundleId = published.json.bundleId;
    const again = await rekey.request('POST', `/v1/clients/${owner.id}/bundles`, { body: {} });
    expect(again.status).toBe(200);
    expect(again.json.bundleId).toBe(bundleId);
    const audit = await rekey.request('GET', '/v1/audit?type=bundle.published');
    expect(audit.json.items).toHaveLength(1);

    const apikey = (await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'k' } })).json;
    expect((await rekey.request('POST', `/v1/clients/${apikey.id}/bundles`, { body: {} })).json.code).toBe('not_tba');
    expect((await rekey.request('POST', `/v1/clients/${owner.id}/bundles`, { token: rekey.other.token, body: {} })).status).toBe(404);
    expect((await rekey.request('POST', `/v1/clients/${owner.id}/bundles`, { body: { name: 'x' } })).status).toBe(400);
    expect((await rekey.request('POST', `/v1/clients/${owner.id}/bundles`, { token: null, body: {} })).status).toBe(401);
  });

  it('installs into another account: the installed record shows the consumer key, never the secret', async () => {
    expect((await rekey.request('POST', `/v1/bundles/${bundleId}/install`, { body: {} })).status).toBe(409);
    expect((await rekey.request('POST', '/v1/bundles/bnd_unknown/install', { token: rekey.other.token, body: {} })).status).toBe(404);

    const installed = await rekey.request('POST', `/v1/bundles/${bundleId}/install`, { token: rekey.other.token, body: {} });
    expect(installed.status, installed.text).toBe(201);
    expect(installed.json).toMatchObject({
      id: expect.stringMatching(/^cli_/),
      accountId: 'other2',
      profile: 'tba',
      name: 'Shipping app',
      state: 'active',
      consumerKey: owner.consumerKey,
      bundleId,
      ownerAccountId: 'acme1',
      tokenBasedAuth: true,
    });
    expect(installed.text).not.toContain(owner.consumerSecret);
    expect(installed.json.consumerSecret).toBeUndefined();
    const listed = await rekey.request('GET', '/v1/clients?profile=tba', { token: rekey.other.token });
    expect(listed.json.items.map((item: { id: string }) => item.id)).toContain(installed.json.id);
    expect(listed.text).not.toContain(owner.consumerSecret);

    const twice = await rekey.request('POST', `/v1/bundles/${bundleId}/install`, { token: rekey.other.token, body: {} });
    expect(twice.status).toBe(409);
    const bundles = await rekey.request('GET', `/v1/clients/${owner.id}/bundles`);
    expect(bundles.json.items).toEqual([
      {
        bundleId,
        clientId: owner.id,
        createdAt: expect.any(String),
        installations: [{ accountId: 'other2', installedAt: expect.any(String) }],
      },
    ]);
    const ownerAudit = await rekey.request('GET', '/v1/audit?type=bundle.installed');
    expect(ownerAudit.json.items[0].data).toMatchObject({ installerAccountId: 'other2' });
  });

  it('an installer without accounts.manage cannot install', async () => {
    // A third account whose only member holds credentials.read.
    const { initializeAccount } = await import('../src/core/accounts/initialize-account.js');
    const third = await initializeAccount(
      rekey.runtime.core,
      { accountId: 'third3', name: 'Third', adminEmail: 'admin@third.test', passwordHash: null },
      { requireEmpty: false },
    );
    const limited = await send(rekey.url, 'POST', '/v1/admin-tokens', {
      token: third.adminToken,
      body: { name: 'read only', permissions: ['credentials.read'] },
    });
    const denied = await rekey.request('POST', `/v1/bundles/${bundleId}/install`, { token: limited.json.token, body: {} });
    expect(denied.status).toBe(403);
    const audit = await send(rekey.url, 'GET', '/v1/audit?type=permission.denied', { token: third.adminToken });
    expect(audit.json.items.length).toBeGreaterThanOrEqual(1);
  });

  it('the installer issues tokens for its own members; only the owner resets; the reset reaches every installation and notifies each installer', async () => {
    const installation = (await rekey.request('GET', '/v1/clients?profile=tba', { token: rekey.other.token })).json.items.find(
      (item: { bundleId?: string }) => item.bundleId === bundleId,
    );
    expect(
      (
        await rekey.request('POST', `/v1/clients/${installation.id}/tokens`, {
          token: rekey.other.token,
          body: { memberId: rekey.main.memberId, role: 'Administrator' },
        })
      ).status,
    ).toBe(404);
    const issued = await rekey.request('POST', `/v1/clients/${installation.id}/tokens`, {
      token: rekey.other.token,
      body: { memberId: rekey.other.memberId, role: 'Administrator' },
    });
    expect(issued.status).toBe(201);
    const ownerToken = (
      await rekey.request('POST', `/v1/clients/${owner.id}/tokens`, { body: { memberId: rekey.main.memberId, role: 'Administrator' } })
    ).json;
    // The owner's token list does not show the installer's tokens, and vice versa.
    expect(
      (await rekey.request('GET', `/v1/clients/${owner.id}/tokens`)).json.items.map((item: { tokenId: string }) => item.tokenId),
    ).toEqual([ownerToken.tokenId]);
    expect(
      (await rekey.request('GET', `/v1/clients/${installation.id}/tokens`, { token: rekey.other.token })).json.items.map(
        (item: { tokenId: string }) => item.tokenId,
      ),
    ).toEqual([issued.json.tokenId]);

    const installerSays = await whoami(owner, issued.json, 'other2');
    expect(installerSays.status, installerSays.text).toBe(200);
    expect(installerSays.json).toMatchObject({ accountId: 'other2', clientId: installation.id, memberId: rekey.other.memberId });
    expect((await whoami(owner, ownerToken, 'acme1')).json).toMatchObject({ accountId: 'acme1', clientId: owner.id });

    for (const path of [`/v1/clients/${installation.id}/reset`, `/v1/clients/${installation.id}/regenerate`]) {
      const refused = await rekey.request('POST', path, { token: rekey.other.token, body: {} });
      expect(refused.status, path).toBe(409);
      expect(refused.json).toMatchObject({ code: 'bundle_managed', ownerAccountId: 'acme1' });
    }
    expect((await rekey.request('POST', `/v1/clients/${installation.id}/bundles`, { token: rekey.other.token, body: {} })).json.code).toBe(
      'bundle_managed',
    );

    const outboxBefore = (await rekey.request('GET', '/v1/outbox?type=bundle.reset', { token: rekey.other.token })).json.items.length;
    const reset = await rekey.request('POST', `/v1/clients/${owner.id}/reset`, { body: {} });
    expect(reset.status).toBe(200);
    expect((await whoami(owner, issued.json, 'other2')).status).toBe(401);
    const after = await whoami(reset.json, issued.json, 'other2');
    expect(after.status, after.text).toBe(200);
    expect(after.json.clientId).toBe(installation.id);
    expect((await whoami(reset.json, ownerToken, 'acme1')).status).toBe(200);

    expect((await rekey.request('GET', `/v1/clients/${installation.id}`, { token: rekey.other.token })).json.consumerKey).toBe(
      reset.json.consumerKey,
    );
    const outbox = await rekey.request('GET', '/v1/outbox?type=bundle.reset', { token: rekey.other.token });
    expect(outbox.json.items).toHaveLength(outboxBefore + 1);
    expect(outbox.json.items[0]).toMatchObject({ channel: 'email', recipient: 'admin@other.test', status: 'pending' });
    const installerAudit = await rekey.request('GET', '/v1/audit?type=bundle.reset', { token: rekey.other.token });
    expect(installerAudit.json.items[0]).toMatchObject({
      clientId: installation.id,
      actor: { type: 'system' },
      data: { ownerAccountId: 'acme1', bundleId },
    });
    owner = { ...owner, ...reset.json };
  });

  it("removing an installation stops its tokens; deleting the owner's record stops every installation", async () => {
    const source = (
      await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: `Temp ${randomBytes(2).toString('hex')}` } })
    ).json;
    const published = (await rekey.request('POST', `/v1/clients/${source.id}/bundles`, { body: {} })).json;
    const installed = (await rekey.request('POST', `/v1/bundles/${published.bundleId}/install`, { token: rekey.other.token, body: {} }))
      .json;
    const token = (
      await rekey.request('POST', `/v1/clients/${installed.id}/tokens`, {
        token: rekey.other.token,
        body: { memberId: rekey.other.memberId, role: 'Administrator' },
      })
    ).json;
    expect((await whoami(source, token, 'other2')).status).toBe(200);
    expect((await rekey.request('DELETE', `/v1/clients/${installed.id}`, { token: rekey.other.token })).status).toBe(204);
    const gone = await whoami(source, token, 'other2');
    expect(gone.status).toBe(401);
    expect(gone.json.code).toBe('revoked');
    expect((await rekey.request('POST', `/v1/bundles/${published.bundleId}/install`, { token: rekey.other.token, body: {} })).status).toBe(
      409,
    );

    const second = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Temp 2' } })).json;
    const bundle2 = (await rekey.request('POST', `/v1/clients/${second.id}/bundles`, { body: {} })).json;
    const installed2 = (await rekey.request('POST', `/v1/bundles/${bundle2.bundleId}/install`, { token: rekey.other.token, body: {} }))
      .json;
    const token2 = (
      await rekey.request('POST', `/v1/clients/${installed2.id}/tokens`, {
        token: rekey.other.token,
        body: { memberId: rekey.other.memberId, role: 'Administrator' },
      })
    ).json;
    expect((await whoami(second, token2, 'other2')).status).toBe(200);
    expect((await rekey.request('DELETE', `/v1/clients/${second.id}`)).status).toBe(204);
    expect((await whoami(second, token2, 'other2')).status).toBe(401);
    expect((await rekey.request('POST', `/v1/bundles/${bundle2.bundleId}/install`, { token: rekey.other.token, body: {} })).status).toBe(
      409,
    );
  });
});
