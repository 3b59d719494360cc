import { randomBytes } from 'node:crypto';
import { type BareItem, type InnerList, type Item, type Parameters, serializeDictionary } from 'structured-headers';
import { computeContentDigest } from './content-digest.js';
import { HMAC_SHA256, hmacSha256Signature } from './hmac-sha256.js';
import { buildSignatureBase } from './signature-base.js';

const DEFAULT_LABEL = 'sig1';

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
  params.set('alg', HMAC_SHA256);
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
