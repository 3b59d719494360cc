import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';
import {
  basic,
  createOAuthClient,
  decodeJwt,
  expectOAuthError,
  introspect,
  issueToken,
  oauthPost,
  whoamiWith,
  type OAuthClient,
} from './oauth2-helpers.js';

describe.each(STORE_KINDS)('introspection and revocation (%s)', (kind) => {
  let rekey: Rekey;
  let owner: OAuthClient;
  let stranger: OAuthClient;
  let otherAccount: OAuthClient;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    owner = await createOAuthClient(rekey, { allowedScopes: ['read'] });
    stranger = await createOAuthClient(rekey);
    otherAccount = await createOAuthClient(rekey, {}, rekey.other.token);
  });
  afterAll(async () => {
    await rekey.close();
  });

  describe('POST /oauth/introspect (RFC 7662)', () => {
    it("describes the caller's own active token", async () => {
      const token = await issueToken(rekey, owner, { scope: 'read' });
      const claims = decodeJwt(token);
      const response = await introspect(rekey, owner, token);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.json).toEqual({
        active: true,
        scope: 'read',
        client_id: owner.id,
        token_type: 'Bearer',
        exp: claims.exp,
        iat: claims.iat,
        sub: owner.id,
        aud: rekey.config.publicUrl,
        iss: rekey.config.publicUrl,
        jti: claims.jti,
        rk_ver: owner.versionId,
      });
      const viaPost = await oauthPost(rekey, '/oauth/introspect', { token, token_type_hint: 'access_token' }, { post: owner });
      expect(viaPost.json.active).toBe(true);
    });

    it('answers exactly {"active": false} for another client\'s token, even of the same account', async () => {
      const token = await issueToken(rekey, owner);
      for (const caller of [stranger, otherAccount]) {
        const response = await introspect(rekey, caller, token);
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ active: false });
        expect(response.text).toBe('{"active":false}');
      }
    });

    it('answers {"active": false} for garbage, expired, tampered and unsigned tokens', async () => {
      const token = await issueToken(rekey, owner);
      const [header, payload] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: 'admin' })).toString('base64url');
      for (const candidate of [
        'not-a-token',
        `${header}.${forged}.${token.split('.')[2]}`,
        `${header}.${payload}.`,
        'a.b.c',
        'x'.repeat(5000),
      ]) {
        expect((await introspect(rekey, owner, candidate)).json).toEqual({ active: false });
      }
      rekey.clock.advance(601_000);
      try {
        expect((await introspect(rekey, owner, token)).json).toEqual({ active: false });
      } finally {
        rekey.clock.advance(-601_000);
      }
      expect((await introspect(rekey, owner, token)).json.active).toBe(true);
    });

    it('error paths: missing token, duplicated parameter, no or bad client authentication, both methods, JSON', async () => {
      const token = await issueToken(rekey, owner);
      expectOAuthError(await oauthPost(rekey, '/oauth/introspect', {}, { auth: owner }), 400, 'invalid_request');
      expectOAuthError(
        await oauthPost(rekey, '/oauth/introspect', {}, { auth: owner, rawBody: `token=${token}&token=${token}` }),
        400,
        'invalid_request',
      );
      expectOAuthError(await oauthPost(rekey, '/oauth/introspect', { token }, { auth: owner, post: owner }), 400, 'invalid_request');
      expectOAuthError(await oauthPost(rekey, '/oauth/introspect', { token }), 401, 'invalid_client');
      expectOAuthError(
        await oauthPost(rekey, '/oauth/introspect', { token }, { auth: { ...owner, secret: stranger.secret } }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(
          rekey,
          '/oauth/introspect',
          { token },
          { headers: { authorization: `Basic ${Buffer.from(`${owner.id}%G0:${owner.secret}`).toString('base64')}` } },
        ),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(
          rekey,
          '/oauth/introspect',
          { token },
          { headers: { authorization: `Basic ${Buffer.from(owner.id).toString('base64')}` } },
        ),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(rekey, '/oauth/introspect', { token }, { headers: { authorization: `Bearer ${token}` } }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await send(rekey.url, 'POST', '/oauth/introspect', {
          token: null,
          headers: { authorization: basic(owner.id, owner.secret), 'content-type': 'application/json' },
          rawBody: JSON.stringify({ token }),
        }),
        400,
        'invalid_request',
      );
    });
  });

  describe('POST /oauth/revoke (RFC 7009)', () => {
    it("revokes the caller's own token: it introspects inactive and fails whoami from then on", async () => {
      const token = await issueToken(rekey, owner);
      const keep = await issueToken(rekey, owner);
      expect((await whoamiWith(rekey, token)).status).toBe(200);
      const response = await oauthPost(rekey, '/oauth/revoke', { token, token_type_hint: 'access_token' }, { auth: owner });
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
      expect((await introspect(rekey, owner, token)).json).toEqual({ active: false });
      const whoami = await whoamiWith(rekey, token);
      expect(whoami.status).toBe(401);
      expect(whoami.json.code).toBe('revoked');
      // Only that token: another one of the same client lives on.
      expect((await whoamiWith(rekey, keep)).status).toBe(200);
      // Revoking again is harmless.
      expect((await oauthPost(rekey, '/oauth/revoke', { token }, { post: owner })).status).toBe(200);
      const audit = await rekey.request('GET', `/v1/audit?type=oauth.token_revoked&clientId=${owner.id}`);
      expect(audit.json.items).toHaveLength(1);
    });

    it("answers 200 and changes nothing for another client's token", async () => {
      const token = await issueToken(rekey, owner);
      for (const caller of [stranger, otherAccount]) {
        const response = await oauthPost(rekey, '/oauth/revoke', { token }, { auth: caller });
        expect(response.status).toBe(200);
      }
      expect((await introspect(rekey, owner, token)).json.active).toBe(true);
      expect((await whoamiWith(rekey, token)).status).toBe(200);
    });

    it('answers 200 for unknown, malformed and expired tokens, and accepts refresh_token as a hint', async () => {
      for (const token of ['unknown', 'a.b.c']) {
        expect((await oauthPost(rekey, '/oauth/revoke', { token }, { auth: owner })).status).toBe(200);
      }
      expect((await oauthPost(rekey, '/oauth/revoke', { token: 'x', token_type_hint: 'refresh_token' }, { auth: owner })).status).toBe(200);
      const token = await issueToken(rekey, owner);
      rekey.clock.advance(700_000);
      try {
        expect((await oauthPost(rekey, '/oauth/revoke', { token }, { auth: owner })).status).toBe(200);
      } finally {
        rekey.clock.advance(-700_000);
      }
    });

    it('error paths: missing token, unsupported hint, duplicated parameter, client authentication', async () => {
      const token = await issueToken(rekey, owner);
      expectOAuthError(await oauthPost(rekey, '/oauth/revoke', {}, { auth: owner }), 400, 'invalid_request');
      expectOAuthError(
        await oauthPost(rekey, '/oauth/revoke', { token, token_type_hint: 'id_token' }, { auth: owner }),
        400,
        'unsupported_token_type',
      );
      expectOAuthError(
        await oauthPost(
          rekey,
          '/oauth/revoke',
          {},
          { auth: owner, rawBody: `token=${token}&token_type_hint=access_token&token_type_hint=access_token` },
        ),
        400,
        'invalid_request',
      );
      expectOAuthError(await oauthPost(rekey, '/oauth/revoke', { token }, { auth: owner, post: owner }), 400, 'invalid_request');
      expectOAuthError(await oauthPost(rekey, '/oauth/revoke', { token }), 401, 'invalid_client');
      expectOAuthError(
        await oauthPost(rekey, '/oauth/revoke', { token }, { post: { ...owner, secret: stranger.secret } }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(
          rekey,
          '/oauth/revoke',
          { token },
          { headers: { authorization: `Basic ${Buffer.from(`${owner.id}:%`).toString('base64')}` } },
        ),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await send(rekey.url, 'POST', '/oauth/revoke', {
          token: null,
          headers: { authorization: basic(owner.id, owner.secret), 'content-type': 'text/plain' },
          rawBody: `token=${token}`,
        }),
        400,
        'invalid_request',
      );
      // None of these revoked anything.
      expect((await introspect(rekey, owner, token)).json.active).toBe(true);
    });
  });
});
