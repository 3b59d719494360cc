import { encodeBase64, encodeBase64Url } from './base64.js';
import { computeContentDigest } from './content-digest.js';

/**
 * The RFC 9421 signer for Rekey's integrator profile (SPEC §4a): `hmac-sha256` keyed with the UTF-8
 * bytes of the secret, `keyid` = client id, covering `"@method" "@target-uri"` plus
 * `"content-digest"` and `"content-type"` when there is a body, with `created`, a single-use
 * `nonce` and `alg`. WebCrypto only, so it runs in Node ≥ 20, browsers and edge runtimes.
 */
export interface SignRequestOptions {
  method: string;
  /** The URL the request is sent to; its fragment is dropped, as an HTTP client does. */
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  keyId: string;
  secret: string;
  /** Defaults to 16 random bytes, base64url. */
  nonce?: string;
  /** Unix seconds; defaults to now. */
  created?: number;
  /** Unix seconds; omitted by default. */
  expires?: number;
  /** The signature label; defaults to `sig1`. */
  label?: string;
}

const ALGORITHM = 'hmac-sha256';
// RFC 8941 §3.1.2: a dictionary key.
const LABEL = /^[a-z*][a-z0-9_\-.*]*$/;
// RFC 8941 §3.3.3: an sf-string holds printable ASCII only; RFC 9421 §2.5 the same for a base line.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** RFC 8941 §4.1.6. Throws for characters a structured-field string cannot hold. */
function serializeString(value: string): string {
  if (!PRINTABLE_ASCII.test(value)) throw new TypeError('A signature parameter holds characters a structured field cannot.');
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

function serializeInteger(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError('created and expires must be non-negative integers.');
  return String(value);
}

/** RFC 9421 §2.1: surrounding whitespace stripped, obsolete line folding replaced by a space. */
function fieldValue(headers: Record<string, string>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  if (entry === undefined) return undefined;
  const value = entry[1].replace(/\r?\n[ \t]+/g, ' ').trim();
  if (!/^[\t\x20-\x7e]*$/.test(value)) throw new TypeError(`The header ${name} holds characters a signature base cannot.`);
  return value;
}

function randomNonce(): string {
  return encodeBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Returns the headers to add: `content-digest` (with a body), `signature-input` and `signature`.
 * Throws a TypeError when a body has no Content-Type or a value cannot be signed.
 */
export async function signRequest(options: SignRequestOptions): Promise<Record<string, string>> {
  const url = new URL(options.url);
  url.hash = '';
  const label = options.label ?? 'sig1';
  if (!LABEL.test(label)) throw new TypeError('The signature label is not a structured-field key.');
  const added: Record<string, string> = {};
  const lines = [`"@method": ${options.method.toUpperCase()}`, `"@target-uri": ${url.href}`];
  const components = ['"@method"', '"@target-uri"'];

  if (options.body !== undefined) {
    const contentType = fieldValue(options.headers, 'content-type');
    if (contentType === undefined) throw new TypeError('A signed request with a body needs a Content-Type header.');
    added['content-digest'] = await computeContentDigest(options.body);
    lines.push(`"content-digest": ${added['content-digest']}`, `"content-type": ${contentType}`);
    components.push('"content-digest"', '"content-type"');
  }

  let params = `;created=${serializeInteger(options.created ?? Math.floor(Date.now() / 1000))}`;
  if (options.expires !== undefined) params += `;expires=${serializeInteger(options.expires)}`;
  params += `;keyid=${serializeString(options.keyId)};nonce=${serializeString(options.nonce ?? randomNonce())};alg="${ALGORITHM}"`;
  const signatureParams = `(${components.join(' ')})${params}`;
  lines.push(`"@signature-params": ${signatureParams}`);
  const base = lines.join('\n');
  if (!/^[\t\x20-\x7e]*$/.test(base.replace(/\n/g, ''))) throw new TypeError('The request holds characters a signature base cannot.');

  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, new TextEncoder().encode(base)));
  added['signature-input'] = `${label}=${signatureParams}`;
  added['signature'] = `${label}=:${encodeBase64(signature)}:`;
  return added;
}
