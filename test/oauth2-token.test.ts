import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';
import {
  basic,
  createOAuthClient,
  decodeJwt,
  decodeProtectedHeader,
  expectOAuthError,
  form,
  introspect,
  issueToken,
  oauthPost,
  verifyOffline,
  whoamiWith,
  type OAuthClient,
} from './oauth2-helpers.js';

describe.each(STORE_KINDS)('POST /oauth/token (%s)', (kind) => {
  let rekey: Rekey;
  let client: OAuthClient;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    client = await createOAuthClient(rekey, { allowedScopes: ['read', 'write'] });
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('issues a JWT access token with the pinned claims (client_secret_basic)', async () => {
    const response = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, { auth: client });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: 'read' });
    expect(response.json.refresh_token).toBeUndefined();
    const token = response.json.access_token as string;
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: 'ES256', kid: expect.any(String), typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: rekey.config.publicUrl,
      sub: client.id,
      aud: rekey.config.publicUrl,
      client_id: client.id,
      scope: 'read',
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: (claims.iat as number) + 600,
      rk_ver: client.versionId,
    });
    expect(Math.abs((claims.iat as number) * 1000 - rekey.clock.now())).toBeLessThan(5000);
    expect(await verifyOffline(rekey, token)).toMatchObject({ sub: client.id });
  });

  it('accepts client_secret_post and gives every token its own jti', async () => {
    const first = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials' }, { post: client });
    const second = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials' }, { post: client });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(decodeJwt(first.json.access_token).jti).not.toBe(decodeJwt(second.json.access_token).jti);
  });

  it('answers a burst of concurrent requests (signed together in batches) each with its own valid token, and refuses the wrong secrets among them', async () => {
    const wrong = { ...client, secret: client.secret.slice(0, -1) + (client.secret.endsWith('A') ? 'B' : 'A') };
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        oauthPost(
          rekey,
          '/oauth/token',
          { grant_type: 'client_credentials', scope: index % 2 ? 'read' : 'write' },
          { auth: index % 10 === 9 ? wrong : client },
        ),
      ),
    );
    const jtis = new Set<string>();
    for (const [index, response] of responses.entries()) {
      if (index % 10 === 9) {
        expectOAuthError(response, 401, 'invalid_client');
        continue;
      }
      expect(response.status).toBe(200);
      const claims = await verifyOffline(rekey, response.json.access_token);
      expect(claims).toMatchObject({ sub: client.id, scope: index % 2 ? 'read' : 'write', rk_ver: client.versionId });
      jtis.add(claims.jti as string);
    }
    expect(jtis.size).toBe(54);
  });

  it('grants every allowed scope when none is requested, and refuses scopes outside allowedScopes', async () => {
    const all = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials' }, { auth: client });
    expect(all.json.scope).toBe('read write');
    expect(decodeJwt(all.json.access_token).scope).toBe('read write');
    const both = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials', scope: 'write read write' }, { auth: client });
    expect(both.json.scope).toBe('write read');
    expectOAuthError(
      await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials', scope: 'read admin' }, { auth: client }),
      400,
      'invalid_scope',
    );
    expectOAuthError(
      await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials', scope: 're"ad' }, { auth: client }),
      400,
      'invalid_scope',
    );
    const none = await createOAuthClient(rekey);
    const plain = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials' }, { auth: none });
    expect(plain.status).toBe(200);
    expect(plain.json.scope).toBeUndefined();
    expect(decodeJwt(plain.json.access_token).scope).toBe('');
    expectOAuthError(
      await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, { auth: none }),
      400,
      'invalid_scope',
    );
  });

  it("uses the client's audience setting for aud", async () => {
    const scoped = await createOAuthClient(rekey, { audience: 'https://api.partner.example' });
    const token = await issueToken(rekey, scoped);
    expect(decodeJwt(token).aud).toBe('https://api.partner.example');
    expect(await verifyOffline(rekey, token, { audience: 'https://api.partner.example' })).toMatchObject({ sub: scoped.id });
    expect((await whoamiWith(rekey, token)).status).toBe(200);
  });

  it('decodes percent-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    const encode = (value: string): string => value.replace(/_/g, '%5F');
    const response = await send(rekey.url, 'POST', '/oauth/token', {
      token: null,
      headers: { authorization: basic(encode(client.id), encode(client.secret)), 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
  });

  describe('error paths (RFC 6749 §5.2)', () => {
    const grant = { grant_type: 'client_credentials' };
    const rawToken = (
      authorization: string | undefined,
      body = 'grant_type=client_credentials',
      contentType = 'application/x-www-form-urlencoded',
    ) =>
      send(rekey.url, 'POST', '/oauth/token', {
        token: null,
        headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
        rawBody: body,
      });

    it('both client authentication methods at once → 400 invalid_request', async () => {
      expectOAuthError(await oauthPost(rekey, '/oauth/token', grant, { auth: client, post: client }), 400, 'invalid_request');
    });
    it('client_id in the body naming another client than Basic → 400 invalid_request', async () => {
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', { ...grant, client_id: 'cli_someoneelse' }, { auth: client }),
        400,
        'invalid_request',
      );
      expect((await oauthPost(rekey, '/oauth/token', { ...grant, client_id: client.id }, { auth: client })).status).toBe(200);
    });
    it('missing grant_type (or empty) → 400 invalid_request', async () => {
      expectOAuthError(await oauthPost(rekey, '/oauth/token', {}, { auth: client }), 400, 'invalid_request');
      expectOAuthError(await oauthPost(rekey, '/oauth/token', { grant_type: '' }, { auth: client }), 400, 'invalid_request');
    });
    it('another grant type → 400 unsupported_grant_type', async () => {
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', { grant_type: 'password', username: 'a', password: 'b' }, { auth: client }),
        400,
        'unsupported_grant_type',
      );
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', { grant_type: 'authorization_code', code: 'x' }, { auth: client }),
        400,
        'unsupported_grant_type',
      );
    });
    it('a duplicated parameter → 400 invalid_request', async () => {
      expectOAuthError(
        await rawToken(basic(client.id, client.secret), 'grant_type=client_credentials&grant_type=client_credentials'),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await rawToken(basic(client.id, client.secret), 'grant_type=client_credentials&scope=read&scope=write'),
        400,
        'invalid_request',
      );
    });
    it('a JSON body or no body → 400 invalid_request', async () => {
      expectOAuthError(await rawToken(basic(client.id, client.secret), JSON.stringify(grant), 'application/json'), 400, 'invalid_request');
      expectOAuthError(
        await send(rekey.url, 'POST', '/oauth/token', { token: null, headers: { authorization: basic(client.id, client.secret) } }),
        400,
        'invalid_request',
      );
    });
    it('a body over 1 MiB → 413 invalid_request', async () => {
      const response = await rawToken(basic(client.id, client.secret), `grant_type=client_credentials&pad=${'a'.repeat(1024 * 1024 + 10)}`);
      expect(response.status).toBe(413);
      expect(response.json.error).toBe('invalid_request');
    });
    it('no client authentication → 401 invalid_client with a Basic challenge', async () => {
      expectOAuthError(await oauthPost(rekey, '/oauth/token', grant), 401, 'invalid_client');
      expectOAuthError(await oauthPost(rekey, '/oauth/token', { ...grant, client_id: client.id }), 401, 'invalid_client');
    });
    it('client_secret without client_id → 401 invalid_client', async () => {
      expectOAuthError(await oauthPost(rekey, '/oauth/token', { ...grant, client_secret: client.secret }), 401, 'invalid_client');
    });
    it('a wrong secret → 401 invalid_client (Basic and post)', async () => {
      const other = await createOAuthClient(rekey);
      const wrong = { id: client.id, secret: other.secret, versionId: '' };
      const viaBasic = await oauthPost(rekey, '/oauth/token', grant, { auth: wrong });
      expectOAuthError(viaBasic, 401, 'invalid_client');
      expect(viaBasic.headers.get('www-authenticate')).toMatch(/^Basic realm="rekey"/);
      expectOAuthError(await oauthPost(rekey, '/oauth/token', grant, { post: wrong }), 401, 'invalid_client');
      expect(viaBasic.text).not.toContain(other.secret);
    });
    it('an unknown client id or a secret not in our format → 401 invalid_client', async () => {
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', grant, { auth: { id: 'cli_doesnotexist0000000000', secret: client.secret, versionId: '' } }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', grant, { auth: { id: client.id, secret: 'hunter2', versionId: '' } }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', grant, {
          auth: { id: client.id, secret: `${client.secret.slice(0, -1)}${client.secret.endsWith('x') ? 'y' : 'x'}`, versionId: '' },
        }),
        401,
        'invalid_client',
      );
    });
    it('malformed Basic headers → 401 invalid_client, never 500', async () => {
      const encoded = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
      for (const header of [
        encoded(`${client.id}%:${client.secret}`),
        encoded(`${client.id}:${client.secret}%zz`),
        encoded(`%E0%A4%A:${client.secret}`),
        encoded(`${client.id}%FF:${client.secret}`),
        encoded(`${client.id}${client.secret}`),
        encoded(`:${client.secret}`),
        encoded(`${client.id}:`),
        'Basic',
        'Basic !!!notbase64!!!',
        'Basic a',
        `Bearer ${client.secret}`,
        'Digest username="x"',
      ]) {
        expectOAuthError(await rawToken(header), 401, 'invalid_client');
      }
    });
    it('a client of another profile → 401 invalid_client', async () => {
      const key = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'not oauth' } });
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', grant, { auth: { id: key.json.id, secret: key.json.secret, versionId: '' } }),
        401,
        'invalid_client',
      );
    });
  });

  describe('renewing the secret (seed 004)', () => {
    it('without revokeIssuedTokens: the old token stays valid, the old secret gets no new token', async () => {
      const renewing = await createOAuthClient(rekey);
      const token = await issueToken(rekey, renewing);
      const renewed = await rekey.request('POST', `/v1/clients/${renewing.id}/regenerate`, { body: {} });
      expect(renewed.status).toBe(200);
      expectOAuthError(
        await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials' }, { auth: renewing }),
        401,
        'invalid_client',
      );
      const fresh: OAuthClient = { id: renewing.id, secret: renewed.json.secret, versionId: renewed.json.versionId };
      expect((await whoamiWith(rekey, token)).json).toMatchObject({
        credentialType: 'jwt',
        clientId: renewing.id,
        versionId: renewing.versionId,
      });
      expect((await introspect(rekey, fresh, token)).json).toMatchObject({ active: true, rk_ver: renewing.versionId });
      expect(decodeJwt(await issueToken(rekey, fresh)).rk_ver).toBe(renewed.json.versionId);
    });

    it('with revokeIssuedTokens: tokens of the old version die at once', async () => {
      const renewing = await createOAuthClient(rekey);
      const token = await issueToken(rekey, renewing);
      expect((await whoamiWith(rekey, token)).status).toBe(200);
      const renewed = await rekey.request('POST', `/v1/clients/${renewing.id}/regenerate`, { body: { revokeIssuedTokens: true } });
      expect(renewed.status).toBe(200);
      const fresh: OAuthClient = { id: renewing.id, secret: renewed.json.secret, versionId: renewed.json.versionId };
      expect((await introspect(rekey, fresh, token)).json).toEqual({ active: false });
      const whoami = await whoamiWith(rekey, token);
      expect(whoami.status).toBe(401);
      expect(whoami.json.code).toBe('revoked');
      expect(whoami.headers.get('www-authenticate')).toMatch(/^Bearer realm="rekey", error="invalid_token"/);
      const verify = await rekey.request('POST', '/v1/verify', {
        body: { method: 'GET', url: `${rekey.url}/anything`, headers: { Authorization: `Bearer ${token}` } },
      });
      expect(verify.json).toMatchObject({ valid: false, code: 'revoked' });
      // The new secret's tokens are unaffected.
      expect((await whoamiWith(rekey, await issueToken(rekey, fresh))).status).toBe(200);
      const audit = await rekey.request('GET', `/v1/audit?type=oauth.tokens_revoked&clientId=${renewing.id}`);
      expect(audit.status).toBe(200);
      expect(audit.json.items).toHaveLength(1);
    });

    it('with a grace period and revokeIssuedTokens: issued tokens die, the old secret may still get new ones', async () => {
      const renewing = await createOAuthClient(rekey);
      const token = await issueToken(rekey, renewing);
      const renewed = await rekey.request('POST', `/v1/clients/${renewing.id}/regenerate`, {
        body: { graceSeconds: 300, revokeIssuedTokens: true },
      });
      expect(renewed.status).toBe(200);
      expect((await whoamiWith(rekey, token)).status).toBe(401);
      rekey.clock.advance(1000);
      const later = await issueToken(rekey, renewing);
      expect(decodeJwt(later).rk_ver).toBe(renewing.versionId);
      expect((await whoamiWith(rekey, later)).status).toBe(200);
    });

    it('revoking the secret version kills its tokens; deleting the client kills all', async () => {
      const target = await createOAuthClient(rekey);
      const token = await issueToken(rekey, target);
      expect((await rekey.request('POST', `/v1/clients/${target.id}/versions/${target.versionId}/revoke`, { body: {} })).status).toBe(200);
      expect((await whoamiWith(rekey, token)).json.code).toBe('revoked');

      const doomed = await createOAuthClient(rekey);
      const doomedToken = await issueToken(rekey, doomed);
      const renewed = await rekey.request('POST', `/v1/clients/${doomed.id}/regenerate`, { body: { graceSeconds: 600 } });
      const newToken = await issueToken(rekey, { id: doomed.id, secret: renewed.json.secret, versionId: renewed.json.versionId });
      expect((await rekey.request('DELETE', `/v1/clients/${doomed.id}`)).status).toBe(204);
      for (const dead of [doomedToken, newToken]) {
        const response = await whoamiWith(rekey, dead);
        expect(response.status).toBe(401);
        expect(response.json.code).toBe('revoked');
      }
      expectOAuthError(
        await oauthPost(
          rekey,
          '/oauth/token',
          { grant_type: 'client_credentials' },
          { auth: { id: doomed.id, secret: renewed.json.secret, versionId: '' } },
        ),
        401,
        'invalid_client',
      );
    });
  });

  it('writes no secret or token into the logs', async () => {
    const token = await issueToken(rekey, client);
    await whoamiWith(rekey, token);
    const logs = rekey.logs.join('\n');
    expect(logs).not.toContain(client.secret);
    expect(logs).not.toContain(token);
    expect(logs).not.toMatch(/rk_sec_[0-9A-Za-z]{20}/);
  });

  it('keeps form bodies off the JSON routes', async () => {
    const response = await send(rekey.url, 'POST', '/v1/clients', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: form({ profile: 'oauth', name: 'x' }),
      token: rekey.main.token,
    });
    expect(response.status).toBe(415);
  });
});
