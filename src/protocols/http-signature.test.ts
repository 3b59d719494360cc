import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { httpbis } from 'http-message-signatures';
import { describe, expect, it } from 'vitest';
import {
  type SignedRequestInput,
  checkContentDigest,
  computeContentDigest,
  hmacSha256Signature,
  parseMessageSignature,
  parseSignedRequest,
  signRequest,
  signaturesEqual,
} from './http-signature.js';

interface ProfileVector {
  name: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  keyId: string;
  secret: string;
  nonce: string;
  created: number;
  expires?: number;
  label: string;
  expected: { targetUri: string; contentDigest?: string; signatureInput: string; signature: string; signatureBase: string };
  checkedWith: string[];
}

interface VectorFile {
  rfc9421B25: {
    keyBase64: string;
    request: { method: string; targetUri: string; headers: Record<string, string> };
    signatureInput: string;
    signature: string;
    signatureBase: string;
  };
  profile: ProfileVector[];
}

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/http-signature.json', import.meta.url), 'utf8')) as VectorFile;

const utf8 = new TextEncoder();

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function bytesOf(signatureHeader: string): Uint8Array {
  const match = /=:([A-Za-z0-9+/=]*):$/.exec(signatureHeader);
  if (!match?.[1]) throw new Error(`not a signature header: ${signatureHeader}`);
  return new Uint8Array(Buffer.from(match[1], 'base64'));
}

function hmacKey(secret: string): (data: Buffer) => Promise<Buffer> {
  return async (data) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(data).digest();
}

describe('RFC 9421 Appendix B.2.5', () => {
  const b25 = vectors.rfc9421B25;
  const key = new Uint8Array(Buffer.from(b25.keyBase64, 'base64'));
  const input: SignedRequestInput = {
    method: b25.request.method,
    targetUri: b25.request.targetUri,
    headers: { ...b25.request.headers, 'signature-input': b25.signatureInput, signature: b25.signature },
    hasBody: true,
  };

  it('builds the published signature base and verifies the published signature', () => {
    const parsed = parseMessageSignature(input);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.label).toBe('sig-b25');
    expect(parsed.value.components).toEqual(['date', '@authority', 'content-type']);
    expect(parsed.value.signatureBase).toBe(b25.signatureBase);
    expect(signaturesEqual(hmacSha256Signature(key, parsed.value.signatureBase), parsed.value.signature)).toBe(true);
    expect(bytesOf(b25.signature)).toEqual(parsed.value.signature);
  });

  it('is outside the integrator profile', () => {
    expect(parseSignedRequest(input)).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('is reproduced by http-message-signatures with explicit fields', async () => {
    const signed = await httpbis.signMessage(
      {
        key: { id: 'test-shared-secret', sign: async (data) => createHmac('sha256', key).update(data).digest() },
        name: 'sig-b25',
        fields: ['date', '@authority', 'content-type'],
        params: ['created', 'keyid'],
        paramValues: { created: new Date(1618884473 * 1000) },
      },
      { method: b25.request.method, url: b25.request.targetUri, headers: b25.request.headers },
    );
    expect(signed.headers['Signature-Input']).toBe(b25.signatureInput);
    expect(signed.headers['Signature']).toBe(b25.signature);
  });
});

describe('integrator profile vectors', () => {
  it('covers GET without body, POST with a JSON body and a signature with expires', () => {
    expect(vectors.profile.length).toBeGreaterThanOrEqual(3);
    expect(vectors.profile.some((v) => v.request.method === 'GET' && v.request.body === undefined)).toBe(true);
    expect(vectors.profile.some((v) => v.request.method === 'POST' && v.request.body !== undefined)).toBe(true);
    expect(vectors.profile.some((v) => v.expires !== undefined)).toBe(true);
    for (const v of vectors.profile) {
      expect(v.secret).toMatch(/^rk_sec_[0-9A-Za-z]{49}$/);
      expect(v.checkedWith).toEqual(['http-message-signatures@1.0.6']);
    }
  });

  for (const v of vectors.profile) {
    describe(v.name, () => {
      const options = {
        method: v.request.method,
        url: v.request.url,
        headers: v.request.headers,
        body: v.request.body,
        keyId: v.keyId,
        secret: v.secret,
        nonce: v.nonce,
        created: v.created,
        expires: v.expires,
        label: v.label,
      };

      it('signRequest produces the expected headers', () => {
        const expected: Record<string, string> = {
          'signature-input': v.expected.signatureInput,
          signature: v.expected.signature,
        };
        if (v.expected.contentDigest !== undefined) expected['content-digest'] = v.expected.contentDigest;
        expect(signRequest(options)).toEqual(expected);
      });

      it('parseSignedRequest rebuilds the signature base and the signature verifies', () => {
        const headers = lowerCaseHeaders({ ...v.request.headers, ...signRequest(options) });
        const body = utf8.encode(v.request.body ?? '');
        const parsed = parseSignedRequest({
          method: v.request.method,
          targetUri: v.expected.targetUri,
          headers,
          hasBody: v.request.body !== undefined,
        });
        if (!parsed.ok) throw new Error(parsed.message);
        expect(parsed.value.signatureBase).toBe(v.expected.signatureBase);
        expect(parsed.value).toMatchObject({
          label: v.label,
          keyId: v.keyId,
          created: v.created,
          nonce: v.nonce,
          alg: 'hmac-sha256',
        });
        expect(parsed.value.expires).toBe(v.expires);
        const mac = hmacSha256Signature(utf8.encode(v.secret), parsed.value.signatureBase);
        expect(signaturesEqual(mac, parsed.value.signature)).toBe(true);
        if (v.request.body !== undefined) {
          expect(computeContentDigest(body)).toBe(v.expected.contentDigest);
          expect(checkContentDigest(headers['content-digest'], body)).toBe('ok');
        }
      });

      it('agrees with http-message-signatures', async () => {
        const request: { method: string; url: string; headers: Record<string, string> } = {
          method: v.request.method,
          url: v.expected.targetUri,
          headers: {
            ...v.request.headers,
            ...(v.expected.contentDigest ? { 'Content-Digest': v.expected.contentDigest } : {}),
          },
        };
        const signed = await httpbis.signMessage(
          {
            key: { id: v.keyId, alg: 'hmac-sha256', sign: hmacKey(v.secret) },
            name: v.label,
            fields: ['@method', '@target-uri', ...(v.request.body !== undefined ? ['content-digest', 'content-type'] : [])],
            params: ['created', ...(v.expires !== undefined ? ['expires'] : []), 'keyid', 'nonce', 'alg'],
            paramValues: {
              created: new Date(v.created * 1000),
              ...(v.expires !== undefined ? { expires: new Date(v.expires * 1000) } : {}),
              nonce: v.nonce,
            },
          },
          request,
        );
        expect(signed.headers['Signature-Input']).toBe(v.expected.signatureInput);
        expect(signed.headers['Signature']).toBe(v.expected.signature);
      });
    });
  }
});

describe('parseSignedRequest', () => {
  const secret = 'rk_sec_XLW3hnaJSezAKVZZxetEP0193vMchuNnhYjAEr0DT2T2XbvCa';
  const url = 'https://api.rekey.example/v1/integrator/regenerate-secret';
  const body = '{"oldSecretValidForSeconds":0}';
  const signed = signRequest({
    method: 'post',
    url,
    headers: { 'Content-Type': 'application/json' },
    body,
    keyId: 'cli_1',
    secret,
    nonce: 'nonce-1',
    created: 1767225600,
  });
  const base: SignedRequestInput = {
    method: 'POST',
    targetUri: url,
    headers: { 'content-type': 'application/json', ...signed },
    hasBody: true,
  };
  const withHeaders = (headers: Record<string, string | undefined>): SignedRequestInput => ({
    ...base,
    headers: { ...base.headers, ...headers },
  });
  const withInput = (signatureInput: string): SignedRequestInput => withHeaders({ 'signature-input': signatureInput });
  const params = ';created=1767225600;keyid="cli_1";nonce="nonce-1"';
  const full = '("@method" "@target-uri" "content-digest" "content-type")';

  it('accepts the SDK signer output', () => {
    expect(signed['signature-input']).toBe(`sig1=${full}${params};alg="hmac-sha256"`);
    const parsed = parseSignedRequest(base);
    expect(parsed.ok).toBe(true);
  });

  it('answers unauthenticated when no signature headers are sent', () => {
    expect(parseSignedRequest({ ...base, headers: { 'content-type': 'application/json' } })).toMatchObject({
      ok: false,
      code: 'unauthenticated',
    });
  });

  it.each([
    ['Signature without Signature-Input', { 'signature-input': undefined }],
    ['Signature-Input without Signature', { signature: undefined }],
    ['an unparsable Signature-Input', { 'signature-input': 'sig1=("@method"' }],
    ['no common label', { signature: 'other=:AAAA:' }],
    ['a Signature member that is not bytes', { signature: 'sig1="abc"' }],
    ['a Signature-Input member that is not an inner list', { 'signature-input': 'sig1="@method"' }],
    ['no @target-uri', { 'signature-input': `sig1=("@method" "content-digest" "content-type")${params}` }],
    ['no @method', { 'signature-input': `sig1=("@target-uri" "content-digest" "content-type")${params}` }],
    ['a body without content-digest', { 'signature-input': `sig1=("@method" "@target-uri" "content-type")${params}` }],
    ['a body without content-type', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest")${params}` }],
    ['no created', { 'signature-input': `sig1=${full};keyid="cli_1";nonce="nonce-1"` }],
    ['a string created', { 'signature-input': `sig1=${full};created="1";keyid="cli_1";nonce="nonce-1"` }],
    ['a decimal created', { 'signature-input': `sig1=${full};created=1.5;keyid="cli_1";nonce="nonce-1"` }],
    ['no nonce', { 'signature-input': `sig1=${full};created=1;keyid="cli_1"` }],
    ['a token nonce', { 'signature-input': `sig1=${full};created=1;keyid="cli_1";nonce=abc` }],
    ['no keyid', { 'signature-input': `sig1=${full};created=1;nonce="n"` }],
    ['another alg', { 'signature-input': `sig1=${full}${params};alg="ed25519"` }],
    ['a token alg', { 'signature-input': `sig1=${full}${params};alg=hmac-sha256` }],
    ['a non-integer expires', { 'signature-input': `sig1=${full}${params};expires="soon"` }],
    [
      'an absent covered header',
      { 'signature-input': `sig1=("@method" "@target-uri" "content-digest" "content-type" "x-missing")${params}` },
    ],
    ['a duplicated component', { 'signature-input': `sig1=("@method" "@method" "@target-uri" "content-digest" "content-type")${params}` }],
    ['a component with parameters', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest";sf "content-type")${params}` }],
    [
      'an unsupported derived component',
      { 'signature-input': `sig1=("@method" "@target-uri" "@status" "content-digest" "content-type")${params}` },
    ],
    [
      '@signature-params as a component',
      { 'signature-input': `sig1=("@method" "@target-uri" "@signature-params" "content-digest" "content-type")${params}` },
    ],
    ['an upper-case field name', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest" "Content-Type")${params}` }],
    ['a token component', { 'signature-input': `sig1=("@method" "@target-uri" content-digest "content-type")${params}` }],
    ['a header value with a line break', { 'content-type': 'application/json\r\nx: y' }],
  ])('answers invalid_request for %s', (_label, headers) => {
    expect(parseSignedRequest(withHeaders(headers))).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('answers bad_signature for a signature of the wrong length', () => {
    expect(parseSignedRequest(withHeaders({ signature: 'sig1=:AAAA:' }))).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
  });

  it('does not need content-digest without a body, but accepts it when covered', () => {
    const get = signRequest({ method: 'GET', url, headers: {}, keyId: 'k', secret, nonce: 'n', created: 1 });
    expect(parseSignedRequest({ method: 'GET', targetUri: url, headers: get, hasBody: false }).ok).toBe(true);
    expect(parseSignedRequest({ ...base, hasBody: false }).ok).toBe(true);
  });

  it('uses the first label present in both fields and ignores unknown parameters', () => {
    const parsed = parseSignedRequest(
      withHeaders({
        'signature-input': `only-input=("@method"), sig2=${full}${params};tag="rekey";x=?1, sig1=("@method")`,
        signature: `sig1=:AAAA:, sig2=${signed.signature?.slice('sig1='.length)}`,
      }),
    );
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.label).toBe('sig2');
    expect(parsed.value.signatureBase.split('\n').at(-1)).toBe(`"@signature-params": ${full}${params};tag="rekey";x`);
    expect(parsed.value.alg).toBeUndefined();
  });

  it('re-serialises the parameters, so insignificant whitespace does not change the base', () => {
    const parsed = parseSignedRequest(withInput(`sig1=(  "@method"   "@target-uri" "content-digest" "content-type" )${params}`));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.signatureBase.split('\n').at(-1)).toBe(`"@signature-params": ${full}${params}`);
  });

  it('does not verify when the method, target or body digest changes', () => {
    const key = utf8.encode(secret);
    const verifies = (input: SignedRequestInput): boolean => {
      const parsed = parseSignedRequest(input);
      return parsed.ok && signaturesEqual(hmacSha256Signature(key, parsed.value.signatureBase), parsed.value.signature);
    };
    expect(verifies(base)).toBe(true);
    expect(verifies({ ...base, method: 'PUT' })).toBe(false);
    expect(verifies({ ...base, targetUri: `${url}?x=1` })).toBe(false);
    expect(verifies(withHeaders({ 'content-digest': computeContentDigest(utf8.encode('{}')) }))).toBe(false);
    expect(checkContentDigest(base.headers['content-digest'], utf8.encode(`${body} `))).toBe('mismatch');
  });

  it('derives every supported component as RFC 9421 §2.2 says', () => {
    const components = '("@method" "@target-uri" "@authority" "@scheme" "@path" "@query" "@request-target" "x-empty" "x-list")';
    const input = (targetUri: string): SignedRequestInput => ({
      method: 'GET',
      targetUri,
      headers: {
        'x-empty': '',
        'x-list': '  a, b  ',
        'signature-input': `s=${components};created=1;keyid="k";nonce="n"`,
        signature: `s=:${Buffer.alloc(32).toString('base64')}:`,
      },
      hasBody: false,
    });
    const first = parseSignedRequest(input('HTTPS://Api.Example.COM:443/p%2Fq/r?a=1&b'));
    if (!first.ok) throw new Error(first.message);
    expect(first.value.signatureBase).toBe(
      [
        '"@method": GET',
        '"@target-uri": HTTPS://Api.Example.COM:443/p%2Fq/r?a=1&b',
        '"@authority": api.example.com',
        '"@scheme": https',
        '"@path": /p%2Fq/r',
        '"@query": ?a=1&b',
        '"@request-target": /p%2Fq/r?a=1&b',
        '"x-empty": ',
        '"x-list": a, b',
        `"@signature-params": ${components};created=1;keyid="k";nonce="n"`,
      ].join('\n'),
    );
    const second = parseSignedRequest(input('http://localhost:8080'));
    if (!second.ok) throw new Error(second.message);
    expect(second.value.signatureBase.split('\n').slice(2, 7)).toEqual([
      '"@authority": localhost:8080',
      '"@scheme": http',
      '"@path": /',
      '"@query": ?',
      '"@request-target": /',
    ]);
    expect(parseSignedRequest(input('not a uri'))).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('never throws', () => {
    const odd = ['', ',', 'sig1=', 'sig1=()', 'sig1=(1 2);created=@1', 'a=@1, b=1', '\u00ff', 'sig1=:::', 'sig1=("a" "b";x=?0)'];
    for (const a of odd) {
      for (const b of odd) {
        expect(() =>
          parseSignedRequest({ method: 'GET', targetUri: url, headers: { 'signature-input': a, signature: b }, hasBody: false }),
        ).not.toThrow();
      }
    }
  });
});

describe('checkContentDigest', () => {
  const body = utf8.encode('{"hello":"world"}');
  const sha256 = createHash('sha256').update(body).digest('base64');
  const sha512 = createHash('sha512').update(body).digest('base64');

  it.each([
    [undefined, 'missing'],
    [`sha-256=:${sha256}:`, 'ok'],
    [`sha-512=:${sha512}:, sha-256=:${sha256}:`, 'ok'],
    [`sha-512=:${sha512}:`, 'missing'],
    [`sha-256=:${sha512}:`, 'malformed'],
    [`sha-256="${sha256}"`, 'malformed'],
    ['sha-256=:not base64', 'malformed'],
    [`SHA-256=:${sha256}:`, 'malformed'],
    [`sha-256=:${createHash('sha256').update('other').digest('base64')}:`, 'mismatch'],
  ])('%s → %s', (header, expected) => {
    expect(checkContentDigest(header, body)).toBe(expected);
  });

  it('computes RFC 9530 sha-256 (the empty body)', () => {
    expect(computeContentDigest(new Uint8Array())).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });
});

describe('signaturesEqual', () => {
  it('compares bytes and tolerates different lengths', () => {
    expect(signaturesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(signaturesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(signaturesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
    expect(signaturesEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});

describe('signRequest', () => {
  it('refuses a body without a content type', () => {
    expect(() => signRequest({ method: 'POST', url: 'https://a.example/', headers: {}, body: 'x', keyId: 'k', secret: 's' })).toThrow(
      TypeError,
    );
  });

  it('fills created and nonce when not given, and drops the fragment from @target-uri', () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = signRequest({ method: 'GET', url: 'https://A.example/x#frag', headers: {}, keyId: 'k', secret: 's' });
    const parsed = parseSignedRequest({ method: 'GET', targetUri: 'https://a.example/x', headers, hasBody: false });
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.created).toBeGreaterThanOrEqual(before);
    expect(parsed.value.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(signaturesEqual(hmacSha256Signature(utf8.encode('s'), parsed.value.signatureBase), parsed.value.signature)).toBe(true);
  });
});
