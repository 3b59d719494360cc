import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signaturesEqual } from './http-signature.js';
import { canonicalSignedUrlInput, parseSignedUrl, signUrl, signedUrlSignature } from './signed-url.js';

interface SignedUrlVector {
  name: string;
  method: string;
  url: string;
  kid: string;
  expiresAtSeconds: number;
  expected: { signedUrl: string; canonicalInput: string; signature: string };
  checkedWith: string[];
}

const { keyHex, vectors } = JSON.parse(readFileSync(new URL('../../test/vectors/signed-url.json', import.meta.url), 'utf8')) as {
  keyHex: string;
  vectors: SignedUrlVector[];
};
const key = new Uint8Array(Buffer.from(keyHex, 'hex'));

describe('signed URL vectors', () => {
  it('cover unsorted and repeated query names, spaces and UTF-8, and default ports', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4);
    expect(vectors.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'unsorted-query',
        'repeated-names-lower-case-method',
        'spaces-and-utf8-percent-encoded',
        'default-port-empty-path-fragment',
      ]),
    );
  });

  for (const v of vectors) {
    describe(v.name, () => {
      it('signUrl produces the expected URL', () => {
        expect(signUrl({ method: v.method, url: v.url, key, kid: v.kid, expiresAtSeconds: v.expiresAtSeconds })).toBe(v.expected.signedUrl);
      });

      it('the canonical input and signature match', () => {
        expect(canonicalSignedUrlInput(v.method, v.expected.signedUrl)).toBe(v.expected.canonicalInput);
        expect(Buffer.from(signedUrlSignature(key, v.expected.canonicalInput)).toString('base64url')).toBe(v.expected.signature);
      });

      it('parseSignedUrl extracts what a verifier needs', () => {
        const parsed = parseSignedUrl(v.method, v.expected.signedUrl);
        if (!parsed.ok) throw new Error(parsed.message);
        expect(parsed.exp).toBe(v.expiresAtSeconds);
        expect(parsed.kid).toBe(v.kid);
        expect(parsed.canonicalInput).toBe(v.expected.canonicalInput);
        expect(Buffer.from(parsed.sig).toString('base64url')).toBe(v.expected.signature);
        expect(signaturesEqual(signedUrlSignature(key, parsed.canonicalInput), parsed.sig)).toBe(true);
      });
    });
  }
});

describe('canonicalSignedUrlInput', () => {
  it('is insensitive to query order, fragment, default port, case of scheme/host/hex and "+" vs %20', () => {
    const a = canonicalSignedUrlInput('get', 'HTTPS://Files.Example:443/a%2fb%7E?b=2&a=x+y#top');
    const b = canonicalSignedUrlInput('GET', 'https://files.example/a%2Fb~?a=x%20y&b=2');
    expect(a).toBe('GET\nhttps://files.example/a%2Fb~?a=x%20y&b=2');
    expect(b).toBe(a);
  });

  it('tells apart what a server tells apart', () => {
    const base = canonicalSignedUrlInput('GET', 'https://files.example/a?x=1');
    expect(canonicalSignedUrlInput('HEAD', 'https://files.example/a?x=1')).not.toBe(base);
    expect(canonicalSignedUrlInput('GET', 'https://files.example/A?x=1')).not.toBe(base);
    expect(canonicalSignedUrlInput('GET', 'https://files.example:8443/a?x=1')).not.toBe(base);
    expect(canonicalSignedUrlInput('GET', 'http://files.example/a?x=1')).not.toBe(base);
    expect(canonicalSignedUrlInput('GET', 'https://files.example/a?x=1&x=1')).not.toBe(base);
    expect(canonicalSignedUrlInput('GET', 'https://files.example/a?x=%2B')).not.toBe(
      canonicalSignedUrlInput('GET', 'https://files.example/a?x=+'),
    );
  });

  it('leaves rk_sig out and keeps the other rk_ parameters', () => {
    expect(canonicalSignedUrlInput('GET', 'https://f.example/?rk_sig=abc&rk_kid=v&rk_exp=1')).toBe(
      'GET\nhttps://f.example/?rk_exp=1&rk_kid=v',
    );
  });

  it.each([
    ['a relative URL', '/a?b=1'],
    ['another scheme', 'ftp://files.example/a'],
    ['bad percent-encoding in the path', 'https://files.example/%zz'],
    ['bad percent-encoding in the query', 'https://files.example/?a=%E2%82'],
    ['user info', 'https://user@files.example/'],
    ['an empty host', 'https:///a'],
    ['a non-numeric port', 'https://files.example:x/'],
  ])('throws a TypeError for %s', (_label, url) => {
    expect(() => canonicalSignedUrlInput('GET', url)).toThrow(TypeError);
  });

  it('throws a TypeError for a method that is not a token', () => {
    expect(() => canonicalSignedUrlInput('GET\nX', 'https://files.example/')).toThrow(TypeError);
  });
});

describe('signUrl', () => {
  const options = { method: 'GET', key, kid: 'ver_1', expiresAtSeconds: 1767312000 };

  it('appends to an existing query and keeps the fragment last', () => {
    const url = signUrl({ ...options, url: 'https://f.example/a?x=1#part' });
    expect(url).toMatch(/^https:\/\/f\.example\/a\?x=1&rk_exp=1767312000&rk_kid=ver_1&rk_sig=[A-Za-z0-9_-]{43}#part$/);
  });

  it('refuses a URL already carrying rk_ parameters, a bad expiry or a malformed URL', () => {
    expect(() => signUrl({ ...options, url: 'https://f.example/?rk_exp=1' })).toThrow(TypeError);
    expect(() => signUrl({ ...options, url: 'https://f.example/?rk_sig=1' })).toThrow(TypeError);
    expect(() => signUrl({ ...options, url: 'https://f.example/', expiresAtSeconds: 1.5 })).toThrow(TypeError);
    expect(() => signUrl({ ...options, url: 'nope' })).toThrow(TypeError);
  });
});

describe('parseSignedUrl', () => {
  const signed = signUrl({ method: 'GET', url: 'https://f.example/a?x=1', key, kid: 'ver_1', expiresAtSeconds: 1767312000 });
  const sig = new URL(signed).searchParams.get('rk_sig') ?? '';

  it('changes its canonical input when the URL is tampered with', () => {
    const parsed = parseSignedUrl('GET', signed.replace('x=1', 'x=2'));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(signaturesEqual(signedUrlSignature(key, parsed.canonicalInput), parsed.sig)).toBe(false);
  });

  it.each([
    ['no rk_sig', 'https://f.example/a?rk_exp=1&rk_kid=v'],
    ['no rk_exp', `https://f.example/a?rk_kid=v&rk_sig=${sig}`],
    ['no rk_kid', `https://f.example/a?rk_exp=1&rk_sig=${sig}`],
    ['an empty rk_kid', `https://f.example/a?rk_exp=1&rk_kid=&rk_sig=${sig}`],
    ['a duplicated rk_exp', `https://f.example/a?rk_exp=1&rk_exp=2&rk_kid=v&rk_sig=${sig}`],
    ['a duplicated rk_sig', `https://f.example/a?rk_exp=1&rk_kid=v&rk_sig=${sig}&rk_sig=${sig}`],
    ['a negative rk_exp', `https://f.example/a?rk_exp=-1&rk_kid=v&rk_sig=${sig}`],
    ['a decimal rk_exp', `https://f.example/a?rk_exp=1.5&rk_kid=v&rk_sig=${sig}`],
    ['a huge rk_exp', `https://f.example/a?rk_exp=1${'0'.repeat(20)}&rk_kid=v&rk_sig=${sig}`],
    ['a short rk_sig', 'https://f.example/a?rk_exp=1&rk_kid=v&rk_sig=AAAA'],
    ['a padded rk_sig', `https://f.example/a?rk_exp=1&rk_kid=v&rk_sig=${sig}%3D`],
    ['a 44-character rk_sig', `https://f.example/a?rk_exp=1&rk_kid=v&rk_sig=${sig}A`],
    ['a malformed URL', 'https://f.example/%zz?rk_exp=1&rk_kid=v'],
    ['not a URL', 'just text'],
  ])('answers bad_signature for %s', (_label, url) => {
    expect(parseSignedUrl('GET', url)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('never throws', () => {
    for (const input of ['', '?', 'https://', 'https://[', 'https://a/%', '\u0000', '%%%', null, 7]) {
      expect(() => parseSignedUrl('GET', input as string)).not.toThrow();
      expect(() => parseSignedUrl(input as string, 'https://a/')).not.toThrow();
    }
  });
});
