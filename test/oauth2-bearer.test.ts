import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeyAad } from '../src/core/oauth/signing-key.js';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';
import {
  createOAuthClient,
  decodeJwt,
  decodeProtectedHeader,
  introspect,
  issueToken,
  oauthPost,
  whoamiWith,
  type OAuthClient,
} from './oauth2-helpers.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(STORE_KINDS)('Bearer access tokens on the data plane (%s)', (kind) => {
  let rekey: Rekey;
  let client: OAuthClient;
  let activeKey: { kid: string; alg: 'ES256' | 'EdDSA'; privateKey: CryptoKey; publicJwk: JWK };

  /** Signs arbitrary claims with the server's real active key, as only a key holder could. */
  const signWithServerKey = (claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: activeKey.alg, kid: activeKey.kid, typ: 'at+jwt', ...header }).sign(activeKey.privateKey);

  beforeAll(async () => {
    rekey = await startRekey(kind);
    client = await createOAuthClient(rekey, { allowedScopes: ['read', 'write'] });
    await issueToken(rekey, client);
    const active = (await rekey.runtime.core.store.listSigningKeys()).find((key) => key.state === 'active')!;
    const privateJwk = JSON.parse(rekey.runtime.core.keyring.decrypt(active.privateCiphertext, signingKeyAad(active.kid))) as JWK;
    activeKey = {
      kid: active.kid,
      alg: active.alg,
      privateKey: (await importJWK(privateJwk, active.alg)) as CryptoKey,
      publicJwk: JSON.parse(active.publicJwk) as JWK,
    };
  });
  afterAll(async () => {
    await rekey.close();
  });

  const validClaims = (): Record<string, unknown> => {
    const iat = Math.floor(rekey.clock.now() / 1000);
    return {
      iss: rekey.config.publicUrl,
      sub: client.id,
      aud: rekey.config.publicUrl,
      client_id: client.id,
      scope: 'read',
      jti: `t${iat}${Math.random()}`,
      iat,
      exp: iat + 600,
      rk_ver: client.versionId,
    };
  };

  it("GET and POST /v1/whoami return the token's identity with its scope", async () => {
    const token = await issueToken(rekey, client, { scope: 'write' });
    for (const method of ['GET', 'POST'] as const) {
      const response = await whoamiWith(rekey, token, method);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        credentialType: 'jwt',
        accountId: 'acme1',
        clientId: client.id,
        profile: 'oauth',
        versionId: client.versionId,
        scope: 'write',
      });
    }
  });

  it("POST /v1/verify checks a Bearer token for the caller's account only", async () => {
    const token = await issueToken(rekey, client);
    const body = { method: 'GET', url: `${rekey.url}/resource`, headers: { authorization: `Bearer ${token}` } };
    const mine = await rekey.request('POST', '/v1/verify', { body });
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ valid: true, code: 'ok', credentialType: 'jwt', clientId: client.id, scope: 'read write' });
    const theirs = await rekey.request('POST', '/v1/verify', { body, token: rekey.other.token });
    expect(theirs.status).toBe(200);
    expect(theirs.json).toMatchObject({ valid: false, code: 'unknown_client' });
  });

  it('a token signed with the server key but the right claims verifies (control for the forgeries below)', async () => {
    expect((await whoamiWith(rekey, await signWithServerKey(validClaims()))).status).toBe(200);
  });

  const refuses = async (token: string, code: string): Promise<void> => {
    const response = await whoamiWith(rekey, token);
    expect(response.status, response.text).toBe(401);
    expect(response.json.code).toBe(code);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="rekey", error="invalid_token"/);
    expect(response.text).not.toContain(token);
  };

  it('refuses an expired token', async () => {
    const token = await issueToken(rekey, client);
    expect((await whoamiWith(rekey, token)).status).toBe(200);
    rekey.clock.advance(601_000);
    try {
      await refuses(token, 'expired');
    } finally {
      rekey.clock.advance(-601_000);
    }
    await refuses(await signWithServerKey({ ...validClaims(), iat: 1_000_000, exp: 1_000_600 }), 'expired');
  });

  it('refuses a tampered token', async () => {
    const token = await issueToken(rekey, client, { scope: 'read' });
    const [header, , signature] = token.split('.');
    await refuses(`${header}.${b64({ ...decodeJwt(token), scope: 'read write admin' })}.${signature}`, 'bad_signature');
    const flipped = signature!.slice(0, 10) + (signature![10] === 'A' ? 'B' : 'A') + signature!.slice(11);
    await refuses(`${token.split('.').slice(0, 2).join('.')}.${flipped}`, 'bad_signature');
  });

  it('refuses a token for another audience, another issuer, or without Rekey claims', async () => {
    await refuses(await signWithServerKey({ ...validClaims(), aud: 'https://elsewhere.example' }), 'malformed_credential');
    await refuses(await signWithServerKey({ ...validClaims(), iss: 'https://evil.example' }), 'malformed_credential');
    const { rk_ver: _dropped, ...withoutVersion } = validClaims();
    await refuses(await signWithServerKey(withoutVersion), 'malformed_credential');
    await refuses(await signWithServerKey(validClaims(), { typ: 'JWT' }), 'malformed_credential');
  });

  it('refuses alg: none', async () => {
    await refuses(`${b64({ alg: 'none', kid: activeKey.kid, typ: 'at+jwt' })}.${b64(validClaims())}.`, 'malformed_credential');
    await refuses(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(validClaims())}.e30`, 'malformed_credential');
  });

  it('refuses HS256 keyed with the public key', async () => {
    const pem = createPublicKey({ key: activeKey.publicJwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    for (const secret of [pem, JSON.stringify(activeKey.publicJwk), String(activeKey.publicJwk.x)]) {
      const signingInput = `${b64({ alg: 'HS256', kid: activeKey.kid, typ: 'at+jwt' })}.${b64(validClaims())}`;
      await refuses(`${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`, 'malformed_credential');
    }
  });

  it('refuses a token signed by a foreign key, even under our kid', async () => {
    const foreign = await generateKeyPair('ES256');
    await refuses(
      await new SignJWT(validClaims()).setProtectedHeader({ alg: 'ES256', kid: activeKey.kid, typ: 'at+jwt' }).sign(foreign.privateKey),
      'bad_signature',
    );
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(privateKey);
    await refuses(
      await new SignJWT(validClaims())
        .setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid', typ: 'at+jwt' })
        .sign(await importJWK(jwk, 'ES256')),
      'bad_signature',
    );
  });

  it('refuses what is not a JWT at all', async () => {
    await refuses('rk_adm_notatoken', 'malformed_credential');
    await refuses('a.b.c', 'malformed_credential');
    const empty = await whoamiWith(rekey, '');
    expect(empty.status).toBe(401);
  });

  it('reads no database once warm, even for new tokens', async () => {
    const tokens = [await issueToken(rekey, client), await issueToken(rekey, client)];
    for (const token of tokens) expect((await whoamiWith(rekey, token)).status).toBe(200);
    const more = await Promise.all(Array.from({ length: 20 }, () => issueToken(rekey, client)));
    const store = rekey.runtime.core.store as unknown as Record<string, unknown>;
    const watched = ['getClient', 'listVersions', 'listTokenRevocations', 'listSigningKeys'] as const;
    const calls: Record<string, number> = {};
    const originals = new Map<string, unknown>();
    for (const name of watched) {
      const original = store[name] as (...args: unknown[]) => unknown;
      originals.set(name, original);
      calls[name] = 0;
      store[name] = (...args: unknown[]) => {
        calls[name]!++;
        return original.apply(store, args);
      };
    }
    try {
      for (const token of [...tokens, ...more, ...tokens]) expect((await whoamiWith(rekey, token)).status).toBe(200);
    } finally {
      for (const [name, original] of originals) store[name] = original;
    }
    expect(calls).toEqual({ getClient: 0, listVersions: 0, listTokenRevocations: 0, listSigningKeys: 0 });
    expect(decodeProtectedHeader(tokens[0]!).kid).toBe(activeKey.kid);
  });

  it('a revocation reaches a warm cache at once', async () => {
    const token = await issueToken(rekey, client);
    expect((await whoamiWith(rekey, token)).status).toBe(200);
    expect((await introspect(rekey, client, token)).json.active).toBe(true);
    const revoked = await oauthPost(rekey, '/oauth/revoke', { token }, { auth: client });
    expect(revoked.status).toBe(200);
    expect((await whoamiWith(rekey, token)).json.code).toBe('revoked');
  });
});
