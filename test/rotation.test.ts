import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

describe.each(STORE_KINDS)('rotation through the control API (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const whoami = (id: string, secret: string) => rekey.request('GET', '/v1/whoami', { token: null, headers: basic(id, secret) });
  const create = async (body: Record<string, unknown> = {}) => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'Reporting', ...body } });
    expect(created.status).toBe(201);
    return created.json as { id: string; secret: string; versionId: string };
  };

  it('creates an oauth client with its optional fields; the secret is shown once', async () => {
    const created = await rekey.request('POST', '/v1/clients', {
      body: {
        profile: 'oauth',
        name: 'ECHO',
        contactName: 'Alex',
        email: 'alex@example.test',
        application: 'esareit',
        allowedScopes: ['read', 'write'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.json).toMatchObject({
      profile: 'oauth',
      name: 'ECHO',
      contactName: 'Alex',
      email: 'alex@example.test',
      application: 'esareit',
      allowedScopes: ['read', 'write'],
    });
    expect(created.json.id).toMatch(/^cli_[0-9A-Za-z]{22}$/);
    expect(created.json.secret).toMatch(/^rk_sec_/);
    const fetched = await rekey.request('GET', `/v1/clients/${created.json.id}`);
    expect(fetched.text).not.toContain(created.json.secret);
    expect(fetched.json).not.toHaveProperty('secret');
    const list = await rekey.request('GET', '/v1/clients?profile=oauth');
    expect(list.text).not.toContain(created.json.secret);
    expect(list.json.items.some((item: { id: string }) => item.id === created.json.id)).toBe(true);
  });

  it('refuses fields that do not apply to the profile, unknown fields and wrong types', async () => {
    for (const body of [
      { profile: 'apikey', name: 'x', allowedScopes: ['a'] },
      { profile: 'oauth', name: 'x', bogus: true },
      { profile: 'oauth', name: 5 },
      { profile: 'oauth' },
      { profile: 'nope', name: 'x' },
      { profile: 'oauth', name: '' },
    ]) {
      const response = await rekey.request('POST', '/v1/clients', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.code).toBe('invalid_request');
      expect(response.json.errors.length).toBeGreaterThan(0);
    }
    expect(
      (await rekey.request('POST', '/v1/clients', { rawBody: '{"profile":', headers: { 'content-type': 'application/json' } })).status,
    ).toBe(400);
    expect(
      (
        await rekey.request('POST', '/v1/clients', {
          rawBody: 'profile=oauth',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(415);
  });

  it('keeps the old secret for exactly the grace period (injected clock)', async () => {
    const client = await create();
    const regenerated = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: { graceSeconds: 60 } });
    expect(regenerated.status).toBe(200);
    expect(regenerated.json.versionId).not.toBe(client.versionId);
    expect((await whoami(client.id, client.secret)).status).toBe(200);
    expect((await whoami(client.id, regenerated.json.secret)).status).toBe(200);
    rekey.clock.advance(59_000);
    expect((await whoami(client.id, client.secret)).status).toBe(200);
    rekey.clock.advance(2_000);
    const after = await whoami(client.id, client.secret);
    expect(after.status).toBe(401);
    expect(after.json.code).toBe('stale_secret');
    expect((await whoami(client.id, regenerated.json.secret)).json.versionId).toBe(regenerated.json.versionId);
  });

  it('retires the earlier previous version on a second regenerate during a grace period', async () => {
    const client = await create();
    const first = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: { graceSeconds: 600 } });
    const second = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: { graceSeconds: 600 } });
    expect((await whoami(client.id, client.secret)).json.code).toBe('stale_secret');
    expect((await whoami(client.id, first.json.secret)).status).toBe(200);
    expect((await whoami(client.id, second.json.secret)).status).toBe(200);
    const view = await rekey.request('GET', `/v1/clients/${client.id}`);
    const accepting = view.json.versions.filter(
      (version: { state: string }) => version.state === 'current' || version.state === 'previous',
    );
    expect(accepting).toHaveLength(2);
  });

  it('bounds graceSeconds by the account maximum and validates the body', async () => {
    const client = await create();
    for (const body of [
      { graceSeconds: -1 },
      { graceSeconds: 604_801 },
      { graceSeconds: 1.5 },
      { graceSeconds: '60' },
      { graceSeconds: 0, extra: 1 },
      { revokeIssuedTokens: 'yes' },
    ]) {
      const response = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await whoami(client.id, client.secret)).status).toBe(200);
  });

  it('returns the same response for a retried Idempotency-Key and rotates only once', async () => {
    const client = await create();
    const first = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, {
      body: {},
      headers: { 'idempotency-key': 'rotate-42' },
    });
    const retry = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, {
      body: {},
      headers: { 'idempotency-key': 'rotate-42' },
    });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(first.json);
    const view = await rekey.request('GET', `/v1/clients/${client.id}`);
    expect(view.json.versions).toHaveLength(2);
    const reused = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, {
      body: { graceSeconds: 5 },
      headers: { 'idempotency-key': 'rotate-42' },
    });
    expect(reused.status).toBe(409);
    expect(reused.json.code).toBe('conflict');
  });

  it('lets one Idempotency-Key rotate only one client, even when two requests race', async () => {
    const first = await create();
    const second = await create();
    const [a, b] = await Promise.all([
      rekey.request('POST', `/v1/clients/${first.id}/regenerate`, { body: {}, headers: { 'idempotency-key': 'shared-key' } }),
      rekey.request('POST', `/v1/clients/${second.id}/regenerate`, { body: {}, headers: { 'idempotency-key': 'shared-key' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? first : second;
    expect((await whoami(loser.id, loser.secret)).status).toBe(200);
    expect((await rekey.request('GET', `/v1/clients/${loser.id}`)).json.versions).toHaveLength(1);
  });

  it('revokes a version at once and deletes a client keeping its record', async () => {
    const client = await create();
    const graced = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: { graceSeconds: 600 } });
    const revoked = await rekey.request('POST', `/v1/clients/${client.id}/versions/${client.versionId}/revoke`, { body: {} });
    expect(revoked.status).toBe(200);
    expect(revoked.json.state).toBe('revoked');
    expect((await whoami(client.id, client.secret)).json.code).toBe('revoked');
    expect((await whoami(client.id, graced.json.secret)).status).toBe(200);
    expect((await rekey.request('POST', `/v1/clients/${client.id}/versions/ver_unknown/revoke`, { body: {} })).status).toBe(404);

    expect((await rekey.request('DELETE', `/v1/clients/${client.id}`)).status).toBe(204);
    expect((await whoami(client.id, graced.json.secret)).json.code).toBe('revoked');
    const view = await rekey.request('GET', `/v1/clients/${client.id}`);
    expect(view.json.state).toBe('deleted');
    expect((await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: {} })).status).toBe(409);
  });

  it('refuses a member without credentials.manage with 403, audits it and changes nothing', async () => {
    const role = await rekey.request('POST', '/v1/roles', { body: { name: 'Viewer', permissions: ['credentials.read'] } });
    expect(role.status).toBe(201);
    const member = await rekey.request('POST', '/v1/members', { body: { email: 'viewer@acme.test', roles: ['Viewer'] } });
    expect(member.status).toBe(201);
    // The administrator cannot mint a token for someone else, so the viewer's own token is made by the store directly.
    const { createAdminToken } = await import('../src/core/accounts/manage-admin-tokens.js');
    const viewerToken = await createAdminToken(
      rekey.runtime.core,
      {
        accountId: 'acme1',
        memberId: member.json.id,
        actor: { type: 'member', id: member.json.id },
        permissions: new Set(['credentials.read']),
      },
      { name: 'viewer' },
    );
    const client = await create();
    const denied = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body: {}, token: viewerToken.token });
    expect(denied.status).toBe(403);
    expect(denied.json.code).toBe('forbidden');
    expect((await whoami(client.id, client.secret)).status).toBe(200);
    const read = await rekey.request('GET', `/v1/clients/${client.id}`, { token: viewerToken.token });
    expect(read.status).toBe(200);
    const audit = await rekey.request('GET', '/v1/audit?type=permission.denied');
    expect(audit.json.items[0]).toMatchObject({ type: 'permission.denied', actor: { type: 'admin_token', memberId: member.json.id } });
    // Live permissions: removing the role removes the token's power at once.
    await rekey.request('PUT', `/v1/members/${member.json.id}/roles`, { body: { roles: [] } });
    expect((await rekey.request('GET', `/v1/clients/${client.id}`, { token: viewerToken.token })).status).toBe(403);
  });

  it('pages through clients with a cursor', async () => {
    for (let i = 0; i < 3; i++) await create({ name: `page-${i}` });
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await rekey.request('GET', `/v1/clients?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      for (const item of page.json.items) seen.add(item.id);
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    const all = await rekey.request('GET', '/v1/clients?limit=200');
    expect(seen.size).toBe(all.json.items.length);
    expect((await rekey.request('GET', '/v1/clients?limit=0')).status).toBe(400);
    expect((await rekey.request('GET', '/v1/clients?limit=abc')).status).toBe(400);
  });

  it('rejects malformed credentials without touching storage', async () => {
    const malformed = await rekey.request('GET', '/v1/whoami', { token: null, headers: basic('cli_x', 'rk_sec_tooShort') });
    expect(malformed.status).toBe(401);
    expect(malformed.json.code).toBe('malformed_credential');
    const misses = rekey.runtime.core.credentials.stats().misses;
    const hits = rekey.runtime.core.credentials.stats().hits;
    await rekey.request('GET', '/v1/whoami', {
      token: null,
      headers: basic('cli_never_seen_before_0', 'rk_sec_0000000000000000000000000000000000000000000000000'),
    });
    expect(rekey.runtime.core.credentials.stats()).toMatchObject({ misses, hits });
    const noColon = await rekey.request('GET', '/v1/whoami', {
      token: null,
      headers: { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
    });
    expect(noColon.json.code).toBe('malformed_credential');
    const badPercent = await rekey.request('GET', '/v1/whoami', {
      token: null,
      headers: { authorization: `Basic ${Buffer.from('%zz:%').toString('base64')}` },
    });
    expect(badPercent.json.code).toBe('malformed_credential');
    const none = await rekey.request('GET', '/v1/whoami', { token: null });
    expect(none.status).toBe(401);
    expect(none.json.code).toBe('unauthenticated');
    expect(none.headers.get('www-authenticate')).toContain('Basic');
  });

  it("verifies credentials for resource servers, only within the caller's account", async () => {
    const client = await create();
    const valid = await rekey.request('POST', '/v1/verify', {
      body: { method: 'GET', url: 'https://api.example.test/orders', headers: basic(client.id, client.secret) },
    });
    expect(valid.status).toBe(200);
    expect(valid.json).toMatchObject({ valid: true, clientId: client.id, accountId: 'acme1' });
    const foreign = await rekey.request('POST', '/v1/verify', {
      token: rekey.other.token,
      body: { method: 'GET', url: 'https://api.example.test/orders', headers: basic(client.id, client.secret) },
    });
    expect(foreign.json).toMatchObject({ valid: false, code: 'unknown_client' });
    const bad = await rekey.request('POST', '/v1/verify', { body: { method: 'GET', url: 'not a url', headers: {} } });
    expect(bad.status).toBe(400);
  });
});
