import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type BareItem,
  type InnerList,
  type Item,
  type Parameters,
  isInnerList,
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
} from 'structured-headers';

/**
 * RFC 9421 HTTP message signatures for the integrator profile (SPEC §4a, PROTOCOLS.md):
 * `hmac-sha256` keyed with the UTF-8 bytes of the secret, covering `@method` and `@target-uri`,
 * plus `content-digest` (RFC 9530) and `content-type` when there is a body.
 */

export interface SignedRequestInput {
  method: string;
  /** The full target URI as the server reconstructs it (public base URL + request target). */
  targetUri: string;
  /** Lower-case field names; repeated fields already joined with ", ". */
  headers: Record<string, string | undefined>;
  hasBody: boolean;
}

export type HttpSignatureErrorCode = 'unauthenticated' | 'invalid_request' | 'bad_signature';

export interface HttpSignatureError {
  ok: false;
  code: HttpSignatureErrorCode;
  message: string;
}

export interface MessageSignature {
  label: string;
  components: string[];
  /** The signature parameters exactly as parsed (RFC 8941 bare items). */
  params: Parameters;
  signatureBase: string;
  signature: Uint8Array;
}

export type MessageSignatureResult = { ok: true; value: MessageSignature } | HttpSignatureError;

export interface SignedRequest {
  label: string;
  keyId: string;
  created: number;
  expires?: number;
  nonce: string;
  alg?: 'hmac-sha256';
  components: string[];
  signatureBase: string;
  signature: Uint8Array;
}

export type ParseResult = { ok: true; value: SignedRequest } | HttpSignatureError;

export type ContentDigestCheck = 'ok' | 'missing' | 'mismatch' | 'malformed';

export interface SignRequestOptions {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  keyId: string;
  secret: string;
  nonce?: string;
  /** Unix seconds; defaults to now. */
  created?: number;
  /** Unix seconds; omitted by default. */
  expires?: number;
  label?: string;
}

const ALGORITHM = 'hmac-sha256';
const HMAC_SHA256_BYTES = 32;
const DEFAULT_LABEL = 'sig1';
const DERIVED_COMPONENTS = new Set([
  '@method',
  '@target-uri',
  '@authority',
  '@scheme',
  '@path',
  '@query',
  '@request-target',
]);
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
// RFC 3986 Appendix B.
const URI_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/s;
// RFC 9421 §2.5: the signature base is US-ASCII; a line break would forge an extra line.
const SIGNATURE_BASE_SAFE = /^[\t\x20-\x7e]*$/;

function failure(code: HttpSignatureErrorCode, message: string): HttpSignatureError {
  return { ok: false, code, message };
}

/** RFC 9421 §2.2: derived component values, taken from the target URI as the server sees it. */
function deriveComponent(name: string, method: string, targetUri: string): string | undefined {
  if (name === '@method') return method;
  if (name === '@target-uri') return targetUri;
  const parts = URI_PARTS.exec(targetUri);
  if (!parts) return undefined;
  const [, scheme = '', authority = '', rawPath = '', query] = parts;
  const path = rawPath === '' ? '/' : rawPath;
  switch (name) {
    case '@scheme':
      return scheme.toLowerCase();
    case '@authority': {
      // RFC 9421 §2.2.3 → RFC 9110 §4.2.3: lower-case host, default port omitted.
      const hostPort = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
      const lowerScheme = scheme.toLowerCase();
      const defaultPort = lowerScheme === 'https' ? ':443' : lowerScheme === 'http' ? ':80' : undefined;
      return defaultPort !== undefined && hostPort.endsWith(defaultPort)
        ? hostPort.slice(0, -defaultPort.length)
        : hostPort;
    }
    case '@path':
      return path;
    case '@query':
      // §2.2.7: an absent query is the lone "?".
      return `?${query ?? ''}`;
    case '@request-target':
      return query === undefined ? path : `${path}?${query}`;
    default:
      return undefined;
  }
}

function componentValue(name: string, input: SignedRequestInput): string | undefined {
  if (name.startsWith('@')) return deriveComponent(name, input.method, input.targetUri);
  const raw = input.headers[name];
  if (raw === undefined) return undefined;
  // RFC 9421 §2.1: strip surrounding whitespace and replace obsolete line folding with a space.
  return raw.replace(/\r?\n[ \t]+/g, ' ').trim();
}

type SignatureBaseResult = { ok: true; components: string[]; signatureBase: string } | HttpSignatureError;

/** RFC 9421 §2.5, for the components this profile knows. */
function buildSignatureBase(member: InnerList, input: SignedRequestInput): SignatureBaseResult {
  const components: string[] = [];
  const lines: string[] = [];
  for (const item of member[0]) {
    const name = item[0];
    if (typeof name !== 'string') return failure('invalid_request', 'A covered component is not a string.');
    // Component parameters (sf, key, bs, req, name, tr) are outside the profile.
    if (item[1].size > 0) return failure('invalid_request', `The component "${name}" has unsupported parameters.`);
    if (components.includes(name)) return failure('invalid_request', `The component "${name}" is listed twice.`);
    if (name.startsWith('@') ? !DERIVED_COMPONENTS.has(name) : !FIELD_NAME.test(name)) {
      return failure('invalid_request', `The component "${name}" is not supported.`);
    }
    const value = componentValue(name, input);
    if (value === undefined) return failure('invalid_request', `The covered component "${name}" is absent.`);
    if (!SIGNATURE_BASE_SAFE.test(value)) {
      return failure('invalid_request', `The covered component "${name}" holds characters a signature base cannot.`);
    }
    components.push(name);
    lines.push(`${serializeItem([name, new Map()])}: ${value}`);
  }
  // §2.3: the signature parameters line re-serialises the parsed inner list.
  lines.push(`"@signature-params": ${serializeInnerList(member)}`);
  return { ok: true, components, signatureBase: lines.join('\n') };
}

/**
 * Generic RFC 9421 verification input: picks the first label present in both `Signature-Input`
 * and `Signature`, resolves the covered components and builds the signature base (§2.5).
 * It does not apply the integrator profile; `parseSignedRequest` does.
 */
export function parseMessageSignature(input: SignedRequestInput): MessageSignatureResult {
  try {
    const rawInput = input.headers['signature-input'];
    const rawSignature = input.headers['signature'];
    if (rawInput === undefined && rawSignature === undefined) {
      return failure('unauthenticated', 'The request carries no HTTP message signature.');
    }
    if (rawInput === undefined || rawSignature === undefined) {
      return failure('invalid_request', 'Signature-Input and Signature must be sent together.');
    }

    let inputs: Map<string, Item | InnerList>;
    let signatures: Map<string, Item | InnerList>;
    try {
      inputs = parseDictionary(rawInput);
      signatures = parseDictionary(rawSignature);
    } catch {
      return failure('invalid_request', 'Signature-Input or Signature is not a valid structured field.');
    }

    const label = [...inputs.keys()].find((key) => signatures.has(key));
    if (label === undefined) {
      return failure('invalid_request', 'No signature label appears in both Signature-Input and Signature.');
    }
    const member = inputs.get(label);
    const signatureMember = signatures.get(label);
    if (member === undefined || !isInnerList(member)) {
      return failure('invalid_request', 'The Signature-Input member is not an inner list.');
    }
    if (signatureMember === undefined || isInnerList(signatureMember) || !(signatureMember[0] instanceof ArrayBuffer)) {
      return failure('invalid_request', 'The Signature member is not a byte sequence.');
    }

    const base = buildSignatureBase(member, input);
    if (!base.ok) return base;
    return {
      ok: true,
      value: {
        label,
        components: base.components,
        params: member[1],
        signatureBase: base.signatureBase,
        signature: new Uint8Array(signatureMember[0]),
      },
    };
  } catch {
    return failure('invalid_request', 'The HTTP message signature could not be read.');
  }
}

function integerParam(value: BareItem | undefined): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Parses and profiles an integrator request signature (SPEC §4a). Never throws. */
export function parseSignedRequest(input: SignedRequestInput): ParseResult {
  const parsed = parseMessageSignature(input);
  if (!parsed.ok) return parsed;
  const { label, components, params, signatureBase, signature } = parsed.value;

  const required = ['@method', '@target-uri', ...(input.hasBody ? ['content-digest', 'content-type'] : [])];
  const uncovered = required.filter((name) => !components.includes(name));
  if (uncovered.length > 0) {
    return failure('invalid_request', `The signature must cover ${uncovered.map((n) => `"${n}"`).join(' ')}.`);
  }

  const created = integerParam(params.get('created'));
  if (created === undefined) return failure('invalid_request', 'The signature parameter created must be an integer.');
  const nonce = params.get('nonce');
  if (typeof nonce !== 'string' || nonce === '') {
    return failure('invalid_request', 'The signature parameter nonce must be a non-empty string.');
  }
  const keyId = params.get('keyid');
  if (typeof keyId !== 'string' || keyId === '') {
    return failure('invalid_request', 'The signature parameter keyid must be a non-empty string.');
  }
  const alg = params.get('alg');
  if (alg !== undefined && alg !== ALGORITHM) {
    return failure('invalid_request', `The signature parameter alg must be "${ALGORITHM}".`);
  }
  const rawExpires = params.get('expires');
  const expires = integerParam(rawExpires);
  if (rawExpires !== undefined && expires === undefined) {
    return failure('invalid_request', 'The signature parameter expires must be an integer.');
  }
  if (signature.length !== HMAC_SHA256_BYTES) {
    return failure('bad_signature', 'The signature is not an HMAC-SHA256 value.');
  }

  const value: SignedRequest = { label, keyId, created, nonce, components, signatureBase, signature };
  if (expires !== undefined) value.expires = expires;
  if (alg !== undefined) value.alg = ALGORITHM;
  return { ok: true, value };
}

/** RFC 9530 `Content-Digest` with `sha-256`. */
export function computeContentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/**
 * RFC 9530 §2: other algorithms may be listed and are ignored; `sha-256` must be present and match.
 * A field without a `sha-256` member counts as missing.
 */
export function checkContentDigest(headerValue: string | undefined, body: Uint8Array): ContentDigestCheck {
  if (headerValue === undefined) return 'missing';
  let digests: Map<string, Item | InnerList>;
  try {
    digests = parseDictionary(headerValue);
  } catch {
    return 'malformed';
  }
  const member = digests.get('sha-256');
  if (member === undefined) return 'missing';
  if (isInnerList(member) || !(member[0] instanceof ArrayBuffer) || member[0].byteLength !== HMAC_SHA256_BYTES) {
    return 'malformed';
  }
  const expected = createHash('sha256').update(body).digest();
  return signaturesEqual(new Uint8Array(member[0]), expected) ? 'ok' : 'mismatch';
}

/** RFC 9421 §3.3.3 `hmac-sha256` over the UTF-8 (here US-ASCII) signature base. */
export function hmacSha256Signature(key: Uint8Array, signatureBase: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(signatureBase, 'utf8').digest());
}

/** Constant time for equal lengths; different lengths answer false without throwing. */
export function signaturesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

/**
 * The integrator signer: returns the headers to add (`content-digest` when there is a body,
 * `signature-input`, `signature`). `@target-uri` is the WHATWG-serialised URL without fragment,
 * which is what an HTTP client puts on the wire. Throws a TypeError when a body has no Content-Type.
 */
export function signRequest(options: SignRequestOptions): Record<string, string> {
  const url = new URL(options.url);
  url.hash = '';
  const method = options.method.toUpperCase();
  const label = options.label ?? DEFAULT_LABEL;
  const added: Record<string, string> = {};
  const headers: Record<string, string | undefined> = {};
  const components = ['@method', '@target-uri'];

  if (options.body !== undefined) {
    const body = typeof options.body === 'string' ? new TextEncoder().encode(options.body) : options.body;
    const contentType = findHeader(options.headers, 'content-type');
    if (contentType === undefined) throw new TypeError('A signed request with a body needs a Content-Type header.');
    added['content-digest'] = computeContentDigest(body);
    headers['content-digest'] = added['content-digest'];
    headers['content-type'] = contentType;
    components.push('content-digest', 'content-type');
  }

  const params: Parameters = new Map<string, BareItem>();
  params.set('created', options.created ?? Math.floor(Date.now() / 1000));
  if (options.expires !== undefined) params.set('expires', options.expires);
  params.set('keyid', options.keyId);
  params.set('nonce', options.nonce ?? randomBytes(16).toString('base64url'));
  params.set('alg', ALGORITHM);
  const signatureInput: InnerList = [components.map((name): Item => [name, new Map()]), params];
  added['signature-input'] = serializeDictionary(new Map([[label, signatureInput]]));

  const base = buildSignatureBase(signatureInput, {
    method,
    targetUri: url.href,
    headers,
    hasBody: options.body !== undefined,
  });
  if (!base.ok) throw new TypeError(base.message);
  const signature = hmacSha256Signature(new TextEncoder().encode(options.secret), base.signatureBase);
  const signatureItem: Item = [signature, new Map()];
  added['signature'] = serializeDictionary(new Map([[label, signatureItem]]));
  return added;
}
