import { readFileSync } from 'node:fs';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../src/core/oauth/access-token.js';
import { createAccessTokenSigner } from '../src/jose/access-token-signer.js';

const vectors = JSON.parse(readFileSync(new URL('./vectors/jws.json', import.meta.url), 'utf8'));

function keyPair(type: 'ec' | 'ed25519', namedCurve = 'P-256'): { privateJwk: JsonWebKey; publicJwk: JsonWebKey } {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve }) : generateKeyPairSync('ed25519');
  return { privateJwk: pair.privateKey.export({ format: 'jwk' }), publicJwk: pair.publicKey.export({ format: 'jwk' }) };
}

const claims: AccessTokenClaims = {
  iss: 'https://rekey.example.test',
  sub: 'cli_x',
  aud: 'https://api.example.test',
  client_id: 'cli_x',
  scope: 'read write',
  jti: 'tok_1',
  iat: 1_800_000_000,
  exp: 1_800_000_600,
  rk_ver: 'ver_x',
};

describe('access-token signer', () => {
  it("with the RFC 8037 A.1 key: the RFC public key verifies it, and it equals the JOSE library's own signature byte for byte (Ed25519 is deterministic)", async () => {
    const { privateJwk } = vectors.eddsa;
    const publicKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: privateJwk.x }, 'EdDSA');
    // The vector itself verifies with that public key: the key material is the RFC's.
    await expect(compactVerify(vectors.eddsa.jws, publicKey)).resolves.toBeDefined();

    const token = createAccessTokenSigner('EdDSA', privateJwk, 'k-rfc').sign(claims);
    const { payload } = await jwtVerify(token, publicKey, { algorithms: ['EdDSA'], currentDate: new Date(claims.iat * 1000) });
    expect(payload).toEqual(claims);
    const reference = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k-rfc' })
      .sign(await importJWK(privateJwk, 'EdDSA'));
    expect(token).toBe(reference);
  });

  for (const [alg, type] of [
    ['ES256', 'ec'],
    ['EdDSA', 'ed25519'],
  ] as const) {
    it(`${alg}: the header is {alg, typ: at+jwt, kid}, the claims are exactly those given, and a changed byte fails`, async () => {
      const { privateJwk, publicJwk } = keyPair(type);
      const token = createAccessTokenSigner(alg, privateJwk, 'k1').sign(claims);
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: 'k1', typ: 'at+jwt' });
      const publicKey = await importJWK(publicJwk as Parameters<typeof importJWK>[0], alg);
      const { payload } = await jwtVerify(token, publicKey, { algorithms: [alg], typ: 'at+jwt', currentDate: new Date(claims.iat * 1000) });
      expect(payload).toEqual(claims);
      // JWS signatures are raw R‖S (ES256) or the 64-byte Ed25519 signature, never DER.
      expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(64);
      const [h, p, sig] = token.split('.') as [string, string, string];
      const flipped = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      await expect(compactVerify(flipped, publicKey, { algorithms: [alg] })).rejects.toThrow();
      const otherPayload = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'cli_y' })).toString('base64url')}.${sig}`;
      await expect(compactVerify(otherPayload, publicKey, { algorithms: [alg] })).rejects.toThrow();
    });
  }

  it('refuses a key of the wrong type or curve', () => {
    expect(() => createAccessTokenSigner('ES256', keyPair('ed25519').privateJwk, 'k')).toThrow(/ES256/);
    expect(() => createAccessTokenSigner('ES256', keyPair('ec', 'P-384').privateJwk, 'k')).toThrow(/P-256/);
    expect(() => createAccessTokenSigner('EdDSA', keyPair('ec').privateJwk, 'k')).toThrow(/EdDSA/);
  });
});
