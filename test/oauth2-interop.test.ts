import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';
import { createOAuthClient, decodeJwt, introspect, verifyOffline, whoamiWith, type OAuthClient } from './oauth2-helpers.js';

const run = promisify(execFile);

/** Debian's python3-authlib (`apt-get install -y python3-authlib python3-requests`), driven through a small script. */
const AUTHLIB = `
import json, sys
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client.errors import OAuthError
base, client_id, secret, method, action = sys.argv[1:6]
scope = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
session = OAuth2Session(client_id, secret, token_endpoint_auth_method=method, scope=scope)
try:
    if action == 'grant':
        token = session.fetch_token(base + '/oauth/token', grant_type='client_credentials')
        whoami = session.get(base + '/v1/whoami')
        print(json.dumps({'ok': True, 'token': token, 'whoami': whoami.json(), 'whoamiStatus': whoami.status_code}))
    elif action == 'introspect':
        response = session.introspect_token(base + '/oauth/introspect', token=sys.argv[7])
        print(json.dumps({'ok': True, 'status': response.status_code, 'body': response.json()}))
    elif action == 'revoke':
        response = session.revoke_token(base + '/oauth/revoke', token=sys.argv[7])
        print(json.dumps({'ok': True, 'status': response.status_code}))
except OAuthError as error:
    print(json.dumps({'ok': False, 'error': error.error, 'description': error.description}))
`;

async function authlib(
  rekey: Rekey,
  client: OAuthClient,
  method: 'client_secret_basic' | 'client_secret_post',
  action: 'grant' | 'introspect' | 'revoke',
  extra: { scope?: string; token?: string } = {},
) {
  const { stdout } = await run('/usr/bin/python3', [
    '-c',
    AUTHLIB,
    rekey.url,
    client.id,
    client.secret,
    method,
    action,
    extra.scope ?? '',
    extra.token ?? '',
  ]);
  return JSON.parse(stdout);
}

async function openidClient(rekey: Rekey, client: OAuthClient, method: 'basic' | 'post'): Promise<oidc.Configuration> {
  const authentication = method === 'basic' ? oidc.ClientSecretBasic(client.secret) : oidc.ClientSecretPost(client.secret);
  // RFC 8414 discovery; plain http is allowed on loopback only for the test.
  return oidc.discovery(new URL(rekey.url), client.id, undefined, authentication, {
    algorithm: 'oauth2',
    execute: [oidc.allowInsecureRequests],
  });
}

async function regenerate(rekey: Rekey, client: OAuthClient, body: Record<string, unknown>): Promise<OAuthClient> {
  const response = await rekey.request('POST', `/v1/clients/${client.id}/regenerate`, { body });
  expect(response.status).toBe(200);
  return { id: client.id, secret: response.json.secret, versionId: response.json.versionId };
}

describe.each(STORE_KINDS)('interoperability with real OAuth clients (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  describe('openid-client v6', () => {
    for (const method of ['basic', 'post'] as const) {
      it(`grant, introspection and revocation with client_secret_${method}`, async () => {
        const client = await createOAuthClient(rekey, { allowedScopes: ['read', 'write'] });
        const config = await openidClient(rekey, client, method);
        expect(config.serverMetadata().token_endpoint).toBe(`${rekey.config.publicUrl}/oauth/token`);
        const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
        expect(tokens.token_type).toBe('bearer');
        expect(tokens.expires_in).toBe(600);
        expect(tokens.scope).toBe('read');
        expect(tokens.refresh_token).toBeUndefined();
        expect(await verifyOffline(rekey, tokens.access_token)).toMatchObject({ sub: client.id, client_id: client.id, scope: 'read' });

        const active = await oidc.tokenIntrospection(config, tokens.access_token);
        expect(active).toMatchObject({ active: true, client_id: client.id, scope: 'read' });

        await oidc.tokenRevocation(config, tokens.access_token);
        expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
        expect((await whoamiWith(rekey, tokens.access_token)).status).toBe(401);

        const refused = await oidc.clientCredentialsGrant(config, { scope: 'admin' }).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(oidc.ResponseBodyError);
        expect((refused as oidc.ResponseBodyError).error).toBe('invalid_scope');
      });
    }

    it('renew without revocation: the old token lives, the old secret gets nothing; with revokeIssuedTokens the old token dies', async () => {
      const client = await createOAuthClient(rekey);
      const oldConfig = await openidClient(rekey, client, 'basic');
      const oldToken = (await oidc.clientCredentialsGrant(oldConfig)).access_token;

      const renewed = await regenerate(rekey, client, {});
      // A 401 with a challenge surfaces as the challenge; the RFC 6749 body is still there.
      const failure = await oidc.clientCredentialsGrant(oldConfig).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
      const challenge = failure as oidc.WWWAuthenticateChallengeError;
      expect(challenge.status).toBe(401);
      expect(challenge.cause[0]).toMatchObject({ scheme: 'basic', parameters: { realm: 'rekey' } });
      expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });

      const newConfig = await openidClient(rekey, renewed, 'post');
      expect(await oidc.tokenIntrospection(newConfig, oldToken)).toMatchObject({ active: true, rk_ver: client.versionId });
      expect((await whoamiWith(rekey, oldToken)).status).toBe(200);
      const secondToken = (await oidc.clientCredentialsGrant(newConfig)).access_token;

      const final = await regenerate(rekey, renewed, { revokeIssuedTokens: true });
      const finalConfig = await openidClient(rekey, final, 'basic');
      // revokeIssuedTokens covers every earlier version: the token of the version just replaced and the older one.
      expect(await oidc.tokenIntrospection(finalConfig, secondToken)).toEqual({ active: false });
      expect(await oidc.tokenIntrospection(finalConfig, oldToken)).toEqual({ active: false });
      expect((await whoamiWith(rekey, secondToken)).json.code).toBe('revoked');
      const fresh = (await oidc.clientCredentialsGrant(finalConfig)).access_token;
      expect(await oidc.tokenIntrospection(finalConfig, fresh)).toMatchObject({ active: true, rk_ver: final.versionId });
    });

    it('another client\'s token introspects {"active": false} and its revocation changes nothing', async () => {
      const owner = await createOAuthClient(rekey);
      const stranger = await createOAuthClient(rekey);
      const ownerConfig = await openidClient(rekey, owner, 'basic');
      const strangerConfig = await openidClient(rekey, stranger, 'post');
      const token = (await oidc.clientCredentialsGrant(ownerConfig)).access_token;
      expect(await oidc.tokenIntrospection(strangerConfig, token)).toEqual({ active: false });
      await oidc.tokenRevocation(strangerConfig, token);
      expect(await oidc.tokenIntrospection(ownerConfig, token)).toMatchObject({ active: true });
    });
  });

  describe('python3-authlib', () => {
    it('is installed', async () => {
      const hint = 'apt-get install -y python3-authlib python3-requests';
      expect(existsSync('/usr/bin/python3'), hint).toBe(true);
      await expect(run('/usr/bin/python3', ['-c', 'import authlib, requests'])).resolves.toBeDefined();
    });

    for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
      it(`grant with ${method}, then calls whoami with the token`, async () => {
        const client = await createOAuthClient(rekey, { allowedScopes: ['read'] });
        const result = await authlib(rekey, client, method, 'grant', { scope: 'read' });
        expect(result.ok, JSON.stringify(result)).toBe(true);
        expect(result.token).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'read' });
        expect(decodeJwt(result.token.access_token)).toMatchObject({ sub: client.id, rk_ver: client.versionId });
        expect(result.whoamiStatus).toBe(200);
        expect(result.whoami).toMatchObject({ credentialType: 'jwt', clientId: client.id, scope: 'read' });
      });
    }

    it('renew without revocation keeps the old token and refuses the old secret; revokeIssuedTokens kills it', async () => {
      const client = await createOAuthClient(rekey);
      const first = await authlib(rekey, client, 'client_secret_basic', 'grant');
      const oldToken = first.token.access_token as string;

      const renewed = await regenerate(rekey, client, {});
      const refused = await authlib(rekey, client, 'client_secret_basic', 'grant');
      expect(refused).toMatchObject({ ok: false, error: 'invalid_client' });
      expect((await introspect(rekey, renewed, oldToken)).json.active).toBe(true);
      const viaAuthlib = await authlib(rekey, renewed, 'client_secret_basic', 'introspect', { token: oldToken });
      expect(viaAuthlib.body).toMatchObject({ active: true, client_id: client.id });

      const second = await authlib(rekey, renewed, 'client_secret_post', 'grant');
      expect(second.ok).toBe(true);
      const final = await regenerate(rekey, renewed, { revokeIssuedTokens: true });
      const after = await authlib(rekey, final, 'client_secret_basic', 'introspect', { token: second.token.access_token });
      expect(after.body).toEqual({ active: false });
      expect((await whoamiWith(rekey, oldToken)).status).toBe(401);

      const revoked = await authlib(rekey, final, 'client_secret_post', 'revoke', { token: 'whatever' });
      expect(revoked.status).toBe(200);
    });
  });
});
