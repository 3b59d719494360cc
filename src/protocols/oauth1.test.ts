import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import OAuth from 'oauth-1.0a';
import { describe, expect, it } from 'vitest';
import {
  type OAuthParam,
  type OAuthSignatureMethod,
  buildOAuthHeader,
  collectRequestParams,
  collectSignatureParams,
  oauthBaseUri,
  oauthSignature,
  parseOAuthAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  validateOAuthParams,
} from './oauth1.js';

interface OAuthVector {
  name: string;
  source: string;
  method: string;
  url: string;
  formBody?: string;
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  nonce: string;
  timestamp: number;
  realm?: string;
  version?: '1.0';
  signatureMethod: OAuthSignatureMethod;
  expected: { baseString?: string; signature: string };
  checkedWith?: string[];
}

const { vectors } = JSON.parse(readFileSync(new URL('../../test/vectors/oauth1.json', import.meta.url), 'utf8')) as {
  vectors: OAuthVector[];
};

function protocolParams(v: OAuthVector): OAuthParam[] {
  const params: OAuthParam[] = [
    ['oauth_consumer_key', v.consumerKey],
    ['oauth_token', v.token],
    ['oauth_signature_method', v.signatureMethod],
    ['oauth_timestamp', String(v.timestamp)],
    ['oauth_nonce', v.nonce],
  ];
  if (v.version) params.push(['oauth_version', v.version]);
  return params;
}

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

describe('OAuth 1.0a vectors', () => {
  it('has the RFC vectors and at least three of our own, each checked by two implementations', () => {
    expect(vectors.map((v) => v.name).slice(0, 4)).toEqual(['V1', 'V2', 'V3', 'V2-HMAC-SHA256']);
    const own = vectors.filter((v) => v.source === 'Rekey');
    expect(own.length).toBeGreaterThanOrEqual(3);
    for (const v of own) {
      expect(v.signatureMethod).toBe('HMAC-SHA256');
      expect(v.checkedWith).toEqual(['oauth-1.0a@2.2.6', 'python3-oauthlib 3.2.2']);
    }
    expect(own.some((v) => v.realm && v.formBody && rawQuery(v.url))).toBe(true);
  });

  for (const v of vectors) {
    describe(v.name, () => {
      it('produces the expected base string and signature', () => {
        const params = collectSignatureParams({
          query: rawQuery(v.url),
          headerParams: [...protocolParams(v), ['realm', v.realm ?? ''], ['oauth_signature', 'ignored']],
          formBody: v.formBody,
        });
        const base = signatureBaseString(v.method, oauthBaseUri(v.url), params);
        if (v.expected.baseString !== undefined) expect(base).toBe(v.expected.baseString);
        expect(oauthSignature(v.signatureMethod, base, v.consumerSecret, v.tokenSecret)).toBe(v.expected.signature);
      });

      it('round-trips through buildOAuthHeader, the header parser and validation', () => {
        const header = buildOAuthHeader({
          consumerKey: v.consumerKey,
          consumerSecret: v.consumerSecret,
          token: v.token,
          tokenSecret: v.tokenSecret,
          method: v.method,
          url: v.url,
          formParams: v.formBody === undefined ? undefined : [...new URLSearchParams(v.formBody)],
          realm: v.realm,
          signatureMethod: v.signatureMethod,
          nonce: v.nonce,
          timestampSeconds: v.timestamp,
          includeVersion: v.version !== undefined,
        });
        const parsed = parseOAuthAuthorizationHeader(header);
        if (!parsed.ok) throw new Error(parsed.message);
        expect(parsed.realm).toBe(v.realm);
        const all = collectRequestParams({ query: rawQuery(v.url), headerParams: parsed.params, formBody: v.formBody });
        if (!all.ok) throw new Error(all.message);
        const validated = validateOAuthParams(all.params);
        if (!validated.ok) throw new Error(validated.message);
        expect(validated.value).toEqual({
          consumerKey: v.consumerKey,
          token: v.token,
          signatureMethod: v.signatureMethod,
          timestampSeconds: v.timestamp,
          nonce: v.nonce,
          signature: v.expected.signature,
          ...(v.version ? { version: v.version } : {}),
        });
      });

      it('agrees with the oauth-1.0a package', () => {
        const hash = v.signatureMethod === 'HMAC-SHA256' ? 'sha256' : 'sha1';
        const client = new OAuth({
          consumer: { key: v.consumerKey, secret: v.consumerSecret },
          signature_method: v.signatureMethod,
          hash_function: (base, key) => createHmac(hash, key).update(base).digest('base64'),
        });
        // oauth-1.0a neither decodes names nor treats '+' as a space, so give it decoded parameters.
        const url = new URL(v.url);
        const data: Record<string, string | string[]> = {};
        for (const [name, value] of [...url.searchParams, ...new URLSearchParams(v.formBody ?? '')]) {
          const existing = data[name];
          data[name] = existing === undefined ? value : [...[existing].flat(), value];
        }
        const oauthData: OAuth.Data = {
          oauth_consumer_key: v.consumerKey,
          oauth_nonce: v.nonce,
          oauth_signature_method: v.signatureMethod,
          oauth_timestamp: v.timestamp,
          oauth_token: v.token,
          ...(v.version ? { oauth_version: v.version } : {}),
        } as OAuth.Data;
        const request = { url: `${url.origin}${url.pathname}`, method: v.method, data };
        expect(client.getSignature(request, v.tokenSecret, oauthData)).toBe(v.expected.signature);
      });
    });
  }
});

describe('parseOAuthAuthorizationHeader', () => {
  it('percent-decodes names and values and keeps realm apart', () => {
    expect(parseOAuthAuthorizationHeader('OAuth realm="1234567_SB1", oauth_nonce="a%20b%2Bc",oauth_token="t%7E1" , x%5Fy="1"')).toEqual({
      ok: true,
      realm: '1234567_SB1',
      params: [
        ['oauth_nonce', 'a b+c'],
        ['oauth_token', 't~1'],
        ['x_y', '1'],
      ],
    });
  });

  it('accepts the scheme in any case and no realm', () => {
    expect(parseOAuthAuthorizationHeader('oauth oauth_token="x"')).toEqual({ ok: true, params: [['oauth_token', 'x']] });
  });

  it.each([
    ['duplicated parameter', 'OAuth oauth_token="a", oauth_token="b"'],
    ['duplicated realm', 'OAuth realm="a", realm="b"'],
    ['other scheme', 'Bearer abc'],
    ['unquoted value', 'OAuth oauth_token=abc'],
    ['missing comma', 'OAuth oauth_token="a" oauth_nonce="b"'],
    ['trailing comma', 'OAuth oauth_token="a",'],
    ['bad percent-encoding', 'OAuth oauth_token="%zz"'],
    ['truncated UTF-8', 'OAuth oauth_token="%C3"'],
    ['unterminated quote', 'OAuth oauth_token="abc'],
    ['backslash in a value', 'OAuth oauth_token="a\\"b"'],
    ['empty', ''],
  ])('rejects %s', (_label, header) => {
    const result = parseOAuthAuthorizationHeader(header);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe('invalid_request');
  });

  it('never throws', () => {
    for (const input of ['OAuth', 'OAuth ,', 'OAuth =""', 'OAuth a="\\', '\u0000OAuth', 'OAuth a=""""', null, 42]) {
      expect(() => parseOAuthAuthorizationHeader(input as string)).not.toThrow();
    }
  });
});

describe('oauthBaseUri', () => {
  it.each([
    ['http://EXAMPLE.COM:80/r%20v/X?id=123', 'http://example.com/r%20v/X'],
    ['https://www.example.net:8080/?q=1', 'https://www.example.net:8080/'],
    ['HTTPS://Api.Rekey.Example:443#frag', 'https://api.rekey.example/'],
    ['http://user:pw@[::1]:8080/a?b', 'http://[::1]:8080/a'],
  ])('%s → %s', (url, expected) => {
    expect(oauthBaseUri(url)).toBe(expected);
  });
});

describe('collectSignatureParams', () => {
  it('decodes query and form ("+" is a space) and drops realm and oauth_signature', () => {
    expect(
      collectSignatureParams({
        query: 'a=1+2&b=%2B&flag',
        headerParams: [
          ['realm', 'x'],
          ['oauth_signature', 'sig'],
          ['oauth_nonce', 'n n'],
        ],
        formBody: 'c=%E2%9C%93&&d=',
      }),
    ).toEqual([
      ['a', '1 2'],
      ['b', '+'],
      ['flag', ''],
      ['oauth_nonce', 'n n'],
      ['c', '✓'],
      ['d', ''],
    ]);
  });

  it('keeps undecodable parameters as written, while collectRequestParams reports them', () => {
    expect(collectSignatureParams({ query: 'a=%zz', headerParams: [] })).toEqual([['a', '%zz']]);
    expect(collectRequestParams({ query: 'a=%zz', headerParams: [] }).ok).toBe(false);
    expect(collectRequestParams({ query: '', headerParams: [], formBody: '%E2%9C=1' }).ok).toBe(false);
  });
});

describe('oauthSignature', () => {
  it('keeps the & in the key when the token secret is empty (RFC 5849 §3.4.2)', () => {
    const expected = createHmac('sha256', 'c%26s&').update('base').digest('base64');
    expect(oauthSignature('HMAC-SHA256', 'base', 'c&s', '')).toBe(expected);
  });
});

describe('validateOAuthParams', () => {
  const good: OAuthParam[] = [
    ['oauth_consumer_key', 'ck'],
    ['oauth_token', 'tk'],
    ['oauth_signature_method', 'HMAC-SHA256'],
    ['oauth_timestamp', '1767225600'],
    ['oauth_nonce', 'abcdef'],
    ['oauth_signature', 'c2ln'],
    ['oauth_version', '1.0'],
    ['other', 'ignored'],
  ];
  const without = (name: string): OAuthParam[] => good.filter(([n]) => n !== name);
  const replace = (name: string, value: string): OAuthParam[] => good.map(([n, v]): OAuthParam => (n === name ? [n, value] : [n, v]));

  it('returns the typed protocol parameters', () => {
    expect(validateOAuthParams(good)).toEqual({
      ok: true,
      value: {
        consumerKey: 'ck',
        token: 'tk',
        signatureMethod: 'HMAC-SHA256',
        timestampSeconds: 1767225600,
        nonce: 'abcdef',
        signature: 'c2ln',
        version: '1.0',
      },
    });
    expect(validateOAuthParams(without('oauth_version')).ok).toBe(true);
  });

  it.each([
    ['oauth_consumer_key missing', without('oauth_consumer_key')],
    ['oauth_token missing', without('oauth_token')],
    ['oauth_signature_method missing', without('oauth_signature_method')],
    ['oauth_timestamp missing', without('oauth_timestamp')],
    ['oauth_nonce missing', without('oauth_nonce')],
    ['oauth_signature missing', without('oauth_signature')],
    ['nonce shorter than 6', replace('oauth_nonce', 'abcde')],
    ['version 2.0', replace('oauth_version', '2.0')],
    ['PLAINTEXT', replace('oauth_signature_method', 'PLAINTEXT')],
    ['RSA-SHA1', replace('oauth_signature_method', 'RSA-SHA1')],
    ['non-numeric timestamp', replace('oauth_timestamp', '12a')],
    ['negative timestamp', replace('oauth_timestamp', '-5')],
    ['duplicated across sources', [...good, ['oauth_nonce', 'abcdef']]],
  ])('rejects %s', (_label, params) => {
    const result = validateOAuthParams(params as OAuthParam[]);
    expect(result).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('finds a protocol parameter duplicated between header and query', () => {
    const all = collectRequestParams({ query: 'oauth_token=tk', headerParams: good });
    if (!all.ok) throw new Error(all.message);
    expect(validateOAuthParams(all.params)).toMatchObject({ ok: false, code: 'invalid_request' });
  });
});

describe('buildOAuthHeader', () => {
  it('formats realm first, then the protocol parameters, percent-encoded', () => {
    const header = buildOAuthHeader({
      consumerKey: 'ck',
      consumerSecret: 'cs',
      token: 'tk',
      tokenSecret: 'ts',
      method: 'get',
      url: 'https://api.rekey.example/v1/whoami',
      realm: '1234567',
      nonce: 'n/n+n=n',
      timestampSeconds: 1767225600,
    });
    const base =
      'GET&https%3A%2F%2Fapi.rekey.example%2Fv1%2Fwhoami&oauth_consumer_key%3Dck%26oauth_nonce%3Dn%252Fn%252Bn%253Dn' +
      '%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1767225600%26oauth_token%3Dtk%26oauth_version%3D1.0';
    const signature = createHmac('sha256', 'cs&ts').update(base).digest('base64');
    expect(header).toBe(
      'OAuth realm="1234567", oauth_consumer_key="ck", oauth_nonce="n%2Fn%2Bn%3Dn", ' +
        'oauth_signature_method="HMAC-SHA256", oauth_timestamp="1767225600", oauth_token="tk", oauth_version="1.0", ' +
        `oauth_signature="${encodeURIComponent(signature)}"`,
    );
  });
});

describe('percentEncode (RFC 5849 §3.6)', () => {
  // The definition, octet by octet: UTF-8 (a lone surrogate as U+FFFD), unreserved kept, the rest %XX.
  const byDefinition = (value: string): string =>
    [...new TextEncoder().encode(value)]
      .map((byte) =>
        /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');

  it('encodes every UTF-16 code unit, lone surrogates included, as the octet definition does', () => {
    for (let unit = 0; unit <= 0xffff; unit += 1) {
      const value = `a${String.fromCharCode(unit)}b`;
      if (percentEncode(value) !== byDefinition(value)) expect(percentEncode(value)).toBe(byDefinition(value));
    }
  });

  it("encodes what encodeURIComponent leaves alone but RFC 5849 reserves (! ' ( ) *), and astral characters as four octets", () => {
    expect(percentEncode("!'()*")).toBe('%21%27%28%29%2A');
    expect(percentEncode('a b+c/d~e')).toBe('a%20b%2Bc%2Fd~e');
    expect(percentEncode('☃ 😀')).toBe(byDefinition('☃ 😀'));
    expect(percentEncode('😀')).toBe('%F0%9F%98%80');
    expect(percentEncode('\ud83d!')).toBe('%EF%BF%BD%21');
    expect(percentEncode('')).toBe('');
  });
});
