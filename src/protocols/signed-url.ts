import { createHmac } from 'node:crypto';

/**
 * Signed URLs (SPEC §5 "Signed URLs"): the URL carries `rk_exp`, `rk_kid` and
 * `rk_sig` = base64url(HMAC-SHA256(key, METHOD "\n" canonical URL without rk_sig)).
 */

export type SignedUrlParseResult =
  { ok: true; exp: number; kid: string; sig: Uint8Array; canonicalInput: string } | { ok: false; code: 'bad_signature'; message: string };

export interface SignUrlOptions {
  method: string;
  url: string;
  key: Uint8Array;
  kid: string;
  expiresAtSeconds: number;
}

type QueryParam = [name: string, value: string];
type Canonical = { ok: true; canonicalUrl: string; params: QueryParam[] } | { ok: false; message: string };

const SIGNATURE_PARAM = 'rk_sig';
const RESERVED_PARAMS = ['rk_exp', 'rk_kid', SIGNATURE_PARAM] as const;
const SIGNATURE_BYTES = 32;
const utf8 = new TextEncoder();

// RFC 3986 Appendix B, restricted to absolute http(s) URLs with an authority.
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/s;
const HOST_PORT = /^([A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]*))?$/;
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

function isUnreserved(char: string): boolean {
  return /^[A-Za-z0-9._~-]$/.test(char);
}

function encodeBytes(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** RFC 3986 §2.1/§2.3: keep the unreserved set, `%XX` (upper-case hex) for every other UTF-8 octet. */
function encodeComponent(text: string): string {
  let out = '';
  for (const char of text) out += isUnreserved(char) ? char : encodeBytes(char);
  return out;
}

/**
 * RFC 3986 §6.2.2: upper-case hex, decode escaped unreserved characters; characters that may not
 * appear raw in a path (space, non-ASCII, …) are encoded as a client would before sending.
 */
function normalizePath(path: string): string | undefined {
  let out = '';
  for (let i = 0; i < path.length;) {
    const char = path[i] ?? '';
    if (char === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return undefined;
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += isUnreserved(decoded) ? decoded : `%${hex.toUpperCase()}`;
      i += 3;
      continue;
    }
    const codePoint = path.codePointAt(i) ?? 0;
    const whole = String.fromCodePoint(codePoint);
    out += /^[A-Za-z0-9._~!$&'()*+,;=:@/-]$/.test(whole) ? whole : encodeBytes(whole);
    i += whole.length;
  }
  return out === '' ? '/' : out;
}

/** Query names and values are form-decoded: `+` is a space, as every common server framework reads it. */
function decodeQueryComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonicalize(url: string): Canonical {
  if (typeof url !== 'string') return { ok: false, message: 'The URL is not a string.' };
  const parts = URL_PARTS.exec(url);
  if (!parts) return { ok: false, message: 'The URL is not an absolute http(s) URL.' };
  const [, rawScheme = '', authority = '', rawPath = '', rawQuery] = parts;
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, message: 'The URL scheme must be http or https.' };
  const hostPort = HOST_PORT.exec(authority);
  if (!hostPort) return { ok: false, message: 'The URL authority is malformed.' };
  const host = (hostPort[1] ?? '').toLowerCase();
  const port = hostPort[2] ?? '';
  const isDefaultPort = port === '' || (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');

  const path = normalizePath(rawPath);
  if (path === undefined) return { ok: false, message: 'The URL path has malformed percent-encoding.' };

  const params: QueryParam[] = [];
  for (const part of (rawQuery ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeQueryComponent(eq === -1 ? part : part.slice(0, eq));
    const value = decodeQueryComponent(eq === -1 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) {
      return { ok: false, message: 'The URL query has malformed percent-encoding.' };
    }
    params.push([name, value]);
  }
  const query = params
    .filter(([name]) => name !== SIGNATURE_PARAM)
    .map(([name, value]): QueryParam => [encodeComponent(name), encodeComponent(value)])
    .sort(([an, av], [bn, bv]) => compareAscii(an, bn) || compareAscii(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

  const canonicalUrl = `${scheme}://${host}${isDefaultPort ? '' : `:${port}`}${path}${query === '' ? '' : `?${query}`}`;
  return { ok: true, canonicalUrl, params };
}

/**
 * `UPPER(method) "\n" canonical URL`: lower-case scheme and host, default port dropped, path
 * normalised, query (without rk_sig) decoded, re-encoded per RFC 3986 and sorted by name then
 * value, no fragment. Throws a TypeError for a malformed method or URL.
 */
export function canonicalSignedUrlInput(method: string, url: string): string {
  if (typeof method !== 'string' || !METHOD.test(method)) throw new TypeError('The method is not an HTTP method token.');
  const canonical = canonicalize(url);
  if (!canonical.ok) throw new TypeError(canonical.message);
  return `${method.toUpperCase()}\n${canonical.canonicalUrl}`;
}

/** HMAC-SHA256 over the canonical input; compare with a constant-time comparison. */
export function signedUrlSignature(key: Uint8Array, canonicalInput: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(canonicalInput, 'utf8').digest());
}

/**
 * The URL as given (fragment kept at the end) plus `rk_exp`, `rk_kid` and `rk_sig`.
 * Throws a TypeError for a malformed URL or one that already carries rk_* parameters.
 */
export function signUrl(options: SignUrlOptions): string {
  const { method, url, key, kid, expiresAtSeconds } = options;
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds < 0) {
    throw new TypeError('expiresAtSeconds must be a non-negative integer.');
  }
  if (kid === '') throw new TypeError('kid must not be empty.');
  const existing = canonicalize(url);
  if (!existing.ok) throw new TypeError(existing.message);
  if (existing.params.some(([name]) => (RESERVED_PARAMS as readonly string[]).includes(name))) {
    throw new TypeError('The URL already carries rk_exp, rk_kid or rk_sig.');
  }

  const hashAt = url.indexOf('#');
  const beforeFragment = hashAt === -1 ? url : url.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  const separator = !beforeFragment.includes('?') ? '?' : /[?&]$/.test(beforeFragment) ? '' : '&';
  const unsigned = `${beforeFragment}${separator}rk_exp=${expiresAtSeconds}&rk_kid=${encodeComponent(kid)}`;
  const signature = signedUrlSignature(key, canonicalSignedUrlInput(method, unsigned));
  return `${unsigned}&${SIGNATURE_PARAM}=${Buffer.from(signature).toString('base64url')}${fragment}`;
}

/**
 * Extracts what a verifier needs; it never throws. Whether the signature is right, the key known
 * and the expiry in the future is for the caller to decide.
 */
export function parseSignedUrl(method: string, url: string): SignedUrlParseResult {
  const fail = (message: string): SignedUrlParseResult => ({ ok: false, code: 'bad_signature', message });
  if (typeof method !== 'string' || !METHOD.test(method)) return fail('The method is not an HTTP method token.');
  const canonical = canonicalize(url);
  if (!canonical.ok) return fail(canonical.message);

  const values = new Map<string, string>();
  for (const [name, value] of canonical.params) {
    if (!(RESERVED_PARAMS as readonly string[]).includes(name)) continue;
    if (values.has(name)) return fail(`The parameter ${name} is duplicated.`);
    values.set(name, value);
  }
  const exp = values.get('rk_exp');
  const kid = values.get('rk_kid');
  const sig = values.get(SIGNATURE_PARAM);
  if (exp === undefined || kid === undefined || sig === undefined) {
    return fail('The URL lacks rk_exp, rk_kid or rk_sig.');
  }
  if (!/^[0-9]{1,15}$/.test(exp)) return fail('rk_exp is not a non-negative integer.');
  if (kid === '') return fail('rk_kid is empty.');
  // Only the canonical unpadded base64url form of 32 bytes is accepted, so each signature has one spelling.
  const sigBytes = Buffer.from(sig, 'base64url');
  if (sigBytes.length !== SIGNATURE_BYTES || sigBytes.toString('base64url') !== sig) {
    return fail('rk_sig is not a base64url HMAC-SHA256 value.');
  }
  return {
    ok: true,
    exp: Number(exp),
    kid,
    sig: new Uint8Array(sigBytes),
    canonicalInput: `${method.toUpperCase()}\n${canonical.canonicalUrl}`,
  };
}
