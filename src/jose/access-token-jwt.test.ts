import { createHmac, createPublicKey, generateKeyPairSync, sign as rawSign, type KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims, SigningAlgorithm } from '../core/oauth/index.js';
import { verifyAccessTokenWithJose } from '../../test/support/jose-access-token-verifier.js';
import { verifyAccessToken, type AccessTokenKey } from './access-token-jwt.js';

const ISSUER = 'https://rekey.example.test';
const NOW = 1_800_000_100_000;
const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

interface TestKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  keyObject: KeyObject;
  publicKey: CryptoKey;
}

async function testKey(alg: SigningAlgorithm, kid: string): Promise<TestKey> {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    keyObject: createPublicKey({ key: pair.publicKey.export({ format: 'jwk' }), format: 'jwk' }),
    publicKey: (await importJWK(jwk, alg)) as CryptoKey,
  };
}

/** Signs any header and payload bytes the way a JWS signer would, so tokens can be made wrong on purpose. */
function craft(key: TestKey, header: Record<string, unknown>, payload: string | Buffer): string {
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  const signature =
    key.alg === 'ES256'
      ? rawSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : rawSign(null, Buffer.from(input), key.privateKey);
  return `${input}.${b64(signature)}`;
}

const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const base: AccessTokenClaims = {
    iss: ISSUER,
    sub: 'cli_x',
    aud: 'https://api.example.test',
    client_id: 'cli_x',
    scope: 'read',
    jti: 'tok_1',
    iat: NOW / 1000 - 100,
    exp: NOW / 1000 + 500,
    rk_ver: 'ver_x',
  };
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete merged[name];
  return merged;
};

function casesFor(key: TestKey, other: TestKey): Array<[string, string]> {
  const header = { alg: key.alg, typ: 'at+jwt', kid: key.kid };
  const good = craft(key, header, JSON.stringify(claims()));
  const [h, p, s] = good.split('.') as [string, string, string];
  const cases: Array<[string, string]> = [
    ['good', good],
    ['payload changed after signing', `${h}.${b64(JSON.stringify(claims({ sub: 'cli_y', client_id: 'cli_y' })))}.${s}`],
    ['signature byte flipped', `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`],
    ['signature truncated', `${h}.${p}.${s.slice(0, -4)}`],
    ['signature one char too long', `${h}.${p}.${s}A`],
    ['signature of another key', craft(other, header, JSON.stringify(claims()))],
    ['expired', craft(key, header, JSON.stringify(claims({ exp: NOW / 1000 - 1 })))],
    ['expires this second', craft(key, header, JSON.stringify(claims({ exp: NOW / 1000 })))],
    ['exp a string', craft(key, header, JSON.stringify(claims({ exp: String(NOW / 1000 + 500) })))],
    ['not yet valid', craft(key, header, JSON.stringify(claims({ nbf: NOW / 1000 + 1 })))],
    ['nbf now', craft(key, header, JSON.stringify(claims({ nbf: NOW / 1000 })))],
    ['nbf a string', craft(key, header, JSON.stringify(claims({ nbf: 'soon' })))],
    ['iat in the future', craft(key, header, JSON.stringify(claims({ iat: NOW / 1000 + 3600 })))],
    ['iat a string', craft(key, header, JSON.stringify(claims({ iat: 'x' })))],
    ['iat fractional', craft(key, header, JSON.stringify(claims({ iat: NOW / 1000 - 0.5 })))],
    ['wrong issuer', craft(key, header, JSON.stringify(claims({ iss: 'https://evil.example' })))],
    ['client_id differs from sub', craft(key, header, JSON.stringify(claims({ client_id: 'cli_z' })))],
    ['scope a number', craft(key, header, JSON.stringify(claims({ scope: 7 })))],
    ['payload an array', craft(key, header, JSON.stringify([claims()]))],
    ['payload not JSON', craft(key, header, '{"iss":')],
    ['payload not UTF-8', craft(key, header, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))],
    ['typ JWT', craft(key, { ...header, typ: 'JWT' }, JSON.stringify(claims()))],
    ['typ application/at+jwt', craft(key, { ...header, typ: 'application/at+jwt' }, JSON.stringify(claims()))],
    ['no typ', craft(key, { alg: key.alg, kid: key.kid }, JSON.stringify(claims()))],
    ['no kid', craft(key, { alg: key.alg, typ: 'at+jwt' }, JSON.stringify(claims()))],
    ['kid a number', craft(key, { ...header, kid: 7 }, JSON.stringify(claims()))],
    ['unknown kid', craft(key, { ...header, kid: 'nobody' }, JSON.stringify(claims()))],
    ['kid of a key with another alg', craft(key, { ...header, kid: other.kid }, JSON.stringify(claims()))],
    ['crit with an unknown extension', craft(key, { ...header, crit: ['exp'], exp: 1 }, JSON.stringify(claims()))],
    ['alg none', `${b64(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: key.kid }))}.${p}.${b64('x')}`],
    ['alg none, empty signature', `${b64(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: key.kid }))}.${p}.`],
    [
      'HS256 keyed with the public key',
      (() => {
        const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }))}.${p}`;
        const secret = key.keyObject.export({ format: 'der', type: 'spki' });
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      })(),
    ],
    ['RS256 named', craft(key, { ...header, alg: 'RS256' }, JSON.stringify(claims()))],
    ['header an array', `${b64('[1]')}.${p}.${s}`],
    ['header not JSON', `${b64('{"alg"')}.${p}.${s}`],
    ['header one char too long', `${h}A.${p}.${s}`],
    ['two parts', `${h}.${p}`],
    ['four parts', `${good}.${s}`],
    ['padding', `${good}=`],
    ['too long', craft(key, header, JSON.stringify(claims({ scope: 'x'.repeat(4000) })))],
    ['garbage', 'not a token'],
    ['empty', ''],
  ];
  for (const claim of ['iss', 'aud', 'sub', 'jti', 'iat', 'exp', 'rk_ver', 'client_id', 'scope'])
    cases.push([`without ${claim}`, craft(key, header, JSON.stringify(claims({ [claim]: undefined })))]);
  return cases;
}

describe('access-token verification with node:crypto, held to jose', async () => {
  const es256 = await testKey('ES256', 'k-es');
  const eddsa = await testKey('EdDSA', 'k-ed');
  const ring = new Map([es256, eddsa].map((key) => [key.kid, key]));
  const fast = {
    verificationKey: (kid: string): AccessTokenKey | null => {
      const key = ring.get(kid);
      return key ? { alg: key.alg, keyObject: key.keyObject } : null;
    },
  };
  const keysOnLoad = { verificationKey: (kid: string): Promise<AccessTokenKey | null> => Promise.resolve(fast.verificationKey(kid)) };
  const reference = (kid: string): { alg: SigningAlgorithm; publicKey: CryptoKey } | null => ring.get(kid) ?? null;

  for (const [key, other] of [
    [es256, eddsa],
    [eddsa, es256],
  ] as const) {
    it.each(casesFor(key, other))(`${key.alg}: %s gets jose's verdict, with or without a key load`, async (_name, token) => {
      const options = { issuer: ISSUER, now: NOW };
      const expected = await verifyAccessTokenWithJose(reference, token, options);
      expect(await verifyAccessToken(fast, token, options)).toEqual(expected);
      expect(await verifyAccessToken(keysOnLoad, token, options)).toEqual(expected);
    });
  }

  it('answers without a promise when the key is loaded, and only good tokens pass', async () => {
    const cases = casesFor(es256, eddsa);
    const verdicts = cases.map(([name, token]) => [name, verifyAccessToken(fast, token, { issuer: ISSUER, now: NOW })] as const);
    for (const [, verdict] of verdicts) expect(verdict).not.toBeInstanceOf(Promise);
    const passed = verdicts.filter(([, verdict]) => !(verdict instanceof Promise) && verdict.ok).map(([name]) => name);
    expect(passed.sort()).toEqual(['good', 'iat in the future', 'nbf now'].sort());
  });
});
