import { readFileSync } from 'node:fs';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createCompactSigner } from '../src/oauth/jws-signer.js';

const vectors = JSON.parse(readFileSync(new URL('./vectors/jws.json', import.meta.url), 'utf8'));

function keyPair(type: 'ec' | 'ed25519', namedCurve = 'P-256'): { privateJwk: JsonWebKey; publicJwk: JsonWebKey } {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve }) : generateKeyPairSync('ed25519');
  return { privateJwk: pair.privateKey.export({ format: 'jwk' }), publicJwk: pair.publicKey.export({ format: 'jwk' }) };
}

describe('compact JWS signer', () => {
  it('reproduces RFC 8037 A.4 byte for byte (EdDSA)', () => {
    const signer = createCompactSigner('EdDSA', vectors.eddsa.privateJwk, {});
    expect(signer.sign(vectors.eddsa.payload)).toBe(vectors.eddsa.jws);
  });

  for (const [alg, type] of [['ES256', 'ec'], ['EdDSA', 'ed25519']] as const) {
    it(`${alg}: what it signs verifies with the JOSE library, under the fixed header; a changed byte does not`, async () => {
      const { privateJwk, publicJwk } = keyPair(type);
      const signer = createCompactSigner(alg, privateJwk, { kid: 'k1', typ: 'at+jwt' });
      const payload = JSON.stringify({ sub: 'cli_x', scope: 'read write', note: 'ünïcode' });
      const token = signer.sign(payload);
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: 'k1', typ: 'at+jwt' });
      const publicKey = await importJWK(publicJwk as Parameters<typeof importJWK>[0], alg);
      const verified = await compactVerify(token, publicKey, { algorithms: [alg] });
      expect(new TextDecoder().decode(verified.payload)).toBe(payload);
      expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(64);
      const [h, p, sig] = token.split('.') as [string, string, string];
      const flipped = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      await expect(compactVerify(flipped, publicKey, { algorithms: [alg] })).rejects.toThrow();
      const otherPayload = `${h}.${Buffer.from(JSON.stringify({ sub: 'cli_y' })).toString('base64url')}.${sig}`;
      await expect(compactVerify(otherPayload, publicKey, { algorithms: [alg] })).rejects.toThrow();
    });
  }

  it('refuses a key of the wrong type or curve', () => {
    expect(() => createCompactSigner('ES256', keyPair('ed25519').privateJwk, {})).toThrow(/ES256/);
    expect(() => createCompactSigner('ES256', keyPair('ec', 'P-384').privateJwk, {})).toThrow(/P-256/);
    expect(() => createCompactSigner('EdDSA', keyPair('ec').privateJwk, {})).toThrow(/EdDSA/);
  });
});
