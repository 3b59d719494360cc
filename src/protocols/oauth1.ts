import { createHmac, randomBytes } from 'node:crypto';

/** RFC 5849 OAuth 1.0a request signing, as PROTOCOLS.md profiles it for token-based authentication. */

export type OAuthSignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

export type OAuthParam = [name: string, value: string];

export interface OAuthInvalidRequest {
  ok: false;
  code: 'invalid_request';
  message: string;
}

export type OAuthHeaderParseResult = { ok: true; params: OAuthParam[]; realm?: string } | OAuthInvalidRequest;

export type OAuthRequestParamsResult = { ok: true; params: OAuthParam[] } | OAuthInvalidRequest;

export interface OAuthProtocolParams {
  consumerKey: string;
  token: string;
  signatureMethod: OAuthSignatureMethod;
  timestampSeconds: number;
  nonce: string;
  signature: string;
  version?: '1.0';
}

export type OAuthParamsValidation = { ok: true; value: OAuthProtocolParams } | OAuthInvalidRequest;

export interface RequestParamSources {
  /** The raw query, without the leading `?`. */
  query: string;
  /** Parameters of the `Authorization: OAuth` header, already percent-decoded. */
  headerParams: ReadonlyArray<OAuthParam>;
  /** The raw body, only when it is a single-part `application/x-www-form-urlencoded` body. */
  formBody?: string;
}

const utf8 = new TextEncoder();
const MIN_NONCE_LENGTH = 6;

function invalid(message: string): OAuthInvalidRequest {
  return { ok: false, code: 'invalid_request', message };
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

const UNRESERVED_ONLY = /^[A-Za-z0-9._~-]*$/;
// What encodeURIComponent leaves as written but RFC 5849 does not count as unreserved.
const SUB_DELIMS_LEFT = /[!'()*]/g;
const encodeSubDelim = (char: string): string => `%${char.charCodeAt(0).toString(16).toUpperCase()}`;

/** RFC 5849 §3.6: UTF-8, then every octet outside the unreserved set as upper-case `%XX`. */
export function percentEncode(value: string): string {
  // Most values (nonces, keys, timestamps) need no encoding; the rest go through the runtime's
  // UTF-8 encoder. A lone surrogate makes encodeURIComponent throw; the octet loop then encodes
  // it as U+FFFD, as TextEncoder does.
  if (UNRESERVED_ONLY.test(value)) return value;
  try {
    return encodeURIComponent(value).replace(SUB_DELIMS_LEFT, encodeSubDelim);
  } catch {
    return percentEncodeOctets(value);
  }
}

function percentEncodeOctets(value: string): string {
  let out = '';
  for (const byte of utf8.encode(value)) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Splits `a=1&b&c=` into raw name/value pairs; a name without `=` has an empty value. */
function splitPairs(raw: string): Array<[rawName: string, rawValue: string]> {
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/** `+` is a space in both query and form data (RFC 5849 §3.4.1.3.1, W3C form encoding). */
function decodeFormComponent(raw: string): string | undefined {
  return percentDecode(raw.replace(/\+/g, ' '));
}

/**
 * Parses an `Authorization: OAuth …` value (RFC 5849 §3.5.1). Names and values are percent-decoded;
 * `realm` is an RFC 2617 quoted-string, so it is returned as written, and not among `params`.
 */
export function parseOAuthAuthorizationHeader(value: string): OAuthHeaderParseResult {
  if (typeof value !== 'string') return invalid('The Authorization header is not a string.');
  const scheme = /^[ \t]*OAuth(?:[ \t]+|$)/i.exec(value);
  if (!scheme) return invalid('The Authorization header does not use the OAuth scheme.');

  const params: OAuthParam[] = [];
  const seen = new Set<string>();
  let realm: string | undefined;
  // name="value" pairs separated by commas with optional whitespace; the value may hold
  // backslash escapes only for realm, since every other value is percent-encoded. The sticky
  // pattern reads each pair where the last one ended, without copying the rest of the header.
  const pair = /[ \t]*([A-Za-z0-9_.~%-]+)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*(,|$)/y;
  pair.lastIndex = scheme[0].length;
  while (!ONLY_BLANKS.test(value.slice(pair.lastIndex))) {
    const match = pair.exec(value);
    if (!match) return invalid('The OAuth Authorization header is malformed.');
    const [, rawName = '', rawValue = '', separator] = match;
    if (separator === ',' && ONLY_BLANKS.test(value.slice(pair.lastIndex))) {
      return invalid('The OAuth Authorization header ends with a comma.');
    }
    const name = rawName.includes('%') ? percentDecode(rawName) : rawName;
    if (name === undefined) return invalid('An OAuth parameter name has malformed percent-encoding.');
    if (seen.has(name)) return invalid(`The OAuth parameter ${name} is duplicated.`);
    seen.add(name);
    if (name === 'realm') {
      realm = rawValue.replace(/\\(.)/g, '$1');
      continue;
    }
    if (rawValue.includes('\\')) return invalid(`The OAuth parameter ${name} contains a backslash.`);
    const decoded = rawValue.includes('%') ? percentDecode(rawValue) : rawValue;
    if (decoded === undefined) return invalid(`The OAuth parameter ${name} has malformed percent-encoding.`);
    params.push([name, decoded]);
  }
  return realm === undefined ? { ok: true, params } : { ok: true, params, realm };
}

const ONLY_BLANKS = /^\s*$/;

const URI_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/;

/**
 * The base string URI (RFC 5849 §3.4.1.2): lower-case scheme and host, default port dropped,
 * path as sent (empty → `/`), no query or fragment. Throws a TypeError for a non-absolute URL.
 */
export function oauthBaseUri(url: string): string {
  const match = URI_PARTS.exec(url);
  if (!match) throw new TypeError('oauthBaseUri needs an absolute URL with an authority.');
  const [, rawScheme = '', rawAuthority = '', path = ''] = match;
  const scheme = rawScheme.toLowerCase();
  const hostPort = rawAuthority.slice(rawAuthority.lastIndexOf('@') + 1);
  const portMatch = /:([0-9]*)$/.exec(hostPort);
  const host = (portMatch ? hostPort.slice(0, portMatch.index) : hostPort).toLowerCase();
  const port = portMatch?.[1] ?? '';
  const isDefaultPort = port === '' || (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  return `${scheme}://${host}${isDefaultPort ? '' : `:${port}`}${path === '' ? '/' : path}`;
}

/**
 * Every request parameter RFC 5849 §3.4.1.3.1 names: query, Authorization header (minus `realm`)
 * and form body, percent-decoded, including `oauth_signature`. Malformed encoding → invalid_request.
 */
export function collectRequestParams(sources: RequestParamSources): OAuthRequestParamsResult {
  const decoded: OAuthParam[] = [];
  for (const [rawName, rawValue] of splitPairs(sources.query)) {
    const name = decodeFormComponent(rawName);
    const value = decodeFormComponent(rawValue);
    if (name === undefined || value === undefined) return invalid('A query parameter has malformed percent-encoding.');
    decoded.push([name, value]);
  }
  const header = sources.headerParams.filter(([name]) => name !== 'realm');
  const form: OAuthParam[] = [];
  for (const [rawName, rawValue] of splitPairs(sources.formBody ?? '')) {
    const name = decodeFormComponent(rawName);
    const value = decodeFormComponent(rawValue);
    if (name === undefined || value === undefined) return invalid('A form parameter has malformed percent-encoding.');
    form.push([name, value]);
  }
  return { ok: true, params: [...decoded, ...header, ...form] };
}

/**
 * The parameters that enter the base string: all request parameters except `realm` and
 * `oauth_signature`. A parameter with malformed percent-encoding is kept as written (the
 * signature then fails); validate with `collectRequestParams` first to answer 400 instead.
 */
export function collectSignatureParams(sources: RequestParamSources): OAuthParam[] {
  const lenient = (raw: string): OAuthParam[] =>
    splitPairs(raw).map(([name, value]) => [decodeFormComponent(name) ?? name, decodeFormComponent(value) ?? value]);
  const header = sources.headerParams.filter(([name]) => name !== 'realm');
  return [...lenient(sources.query), ...header, ...lenient(sources.formBody ?? '')].filter(([name]) => name !== 'oauth_signature');
}

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 5849 §3.4.1: `METHOD&enc(base URI)&enc(normalized parameters)`. */
export function signatureBaseString(method: string, baseUri: string, params: ReadonlyArray<OAuthParam>): string {
  // §3.4.1.3.2: encode first, then sort by name and value in byte order (the encoded form is ASCII).
  const normalized = params
    .map(([name, value]): OAuthParam => [percentEncode(name), percentEncode(value)])
    .sort(([an, av], [bn, bv]) => compareAscii(an, bn) || compareAscii(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUri)}&${percentEncode(normalized)}`;
}

/** RFC 5849 §3.4.2: HMAC keyed with `enc(consumerSecret)&enc(tokenSecret)`; the `&` stays when a part is empty. */
export function oauthSignature(method: OAuthSignatureMethod, baseString: string, consumerSecret: string, tokenSecret: string): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  const hash = method === 'HMAC-SHA256' ? 'sha256' : 'sha1';
  return createHmac(hash, key).update(baseString, 'utf8').digest('base64');
}

const REQUIRED_PARAMS = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_signature',
] as const;

/**
 * Checks the protocol parameters among all request parameters (from `collectRequestParams`).
 * RFC 5849 §3.2: a missing, duplicated or unsupported protocol parameter is a 400.
 */
export function validateOAuthParams(params: ReadonlyArray<OAuthParam>): OAuthParamsValidation {
  const protocol = new Map<string, string>();
  for (const [name, value] of params) {
    if (!name.startsWith('oauth_')) continue;
    if (protocol.has(name)) return invalid(`The OAuth parameter ${name} is duplicated.`);
    protocol.set(name, value);
  }
  for (const name of REQUIRED_PARAMS) {
    if (!protocol.get(name)) return invalid(`The OAuth parameter ${name} is missing.`);
  }
  const signatureMethod = protocol.get('oauth_signature_method');
  if (signatureMethod !== 'HMAC-SHA256' && signatureMethod !== 'HMAC-SHA1') {
    return invalid('The OAuth signature method is not supported.');
  }
  const timestamp = protocol.get('oauth_timestamp') ?? '';
  if (!/^[0-9]{1,12}$/.test(timestamp)) return invalid('The OAuth timestamp is not a positive integer.');
  const nonce = protocol.get('oauth_nonce') ?? '';
  if (nonce.length < MIN_NONCE_LENGTH) {
    return invalid(`The OAuth nonce must have at least ${MIN_NONCE_LENGTH} characters.`);
  }
  const version = protocol.get('oauth_version');
  if (version !== undefined && version !== '1.0') return invalid('The OAuth version must be 1.0.');
  const value: OAuthProtocolParams = {
    consumerKey: protocol.get('oauth_consumer_key') ?? '',
    token: protocol.get('oauth_token') ?? '',
    signatureMethod,
    timestampSeconds: Number(timestamp),
    nonce,
    signature: protocol.get('oauth_signature') ?? '',
  };
  if (version !== undefined) value.version = version;
  return { ok: true, value };
}

export interface BuildOAuthHeaderOptions {
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  method: string;
  url: string;
  /** Decoded `application/x-www-form-urlencoded` body parameters, when the body is a form. */
  formParams?: ReadonlyArray<OAuthParam>;
  realm?: string;
  signatureMethod?: OAuthSignatureMethod;
  nonce?: string;
  timestampSeconds?: number;
  /** Include `oauth_version="1.0"` (optional in RFC 5849); default true. */
  includeVersion?: boolean;
  /** Base64 SHA-256 (or SHA-1) digest of a body that is not a form: signs it as `oauth_body_hash`. */
  bodyHash?: string;
}

/** An `Authorization` header value (`OAuth realm="…", oauth_…="…"`) signing the request. */
export function buildOAuthHeader(options: BuildOAuthHeaderOptions): string {
  const signatureMethod = options.signatureMethod ?? 'HMAC-SHA256';
  const protocol: OAuthParam[] = [
    ['oauth_consumer_key', options.consumerKey],
    ['oauth_nonce', options.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', signatureMethod],
    ['oauth_timestamp', String(options.timestampSeconds ?? Math.floor(Date.now() / 1000))],
    ['oauth_token', options.token],
  ];
  if (options.includeVersion ?? true) protocol.push(['oauth_version', '1.0']);
  if (options.bodyHash !== undefined) protocol.push(['oauth_body_hash', options.bodyHash]);

  const withoutFragment = options.url.split('#')[0] ?? '';
  const queryStart = withoutFragment.indexOf('?');
  const query = queryStart === -1 ? '' : withoutFragment.slice(queryStart + 1);
  const formBody = (options.formParams ?? []).map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
  const params = collectSignatureParams({ query, headerParams: protocol, formBody });
  const baseString = signatureBaseString(options.method, oauthBaseUri(options.url), params);
  const signature = oauthSignature(signatureMethod, baseString, options.consumerSecret, options.tokenSecret);

  const signed: OAuthParam[] = [...protocol, ['oauth_signature', signature]];
  const fields = signed.map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`);
  if (options.realm !== undefined) {
    fields.unshift(`realm="${options.realm.replace(/(["\\])/g, '\\$1')}"`);
  }
  return `OAuth ${fields.join(', ')}`;
}
