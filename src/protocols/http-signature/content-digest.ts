import { createHash } from 'node:crypto';
import { type InnerList, type Item, isInnerList, parseDictionary } from 'structured-headers';
import { signaturesEqual } from './hmac-sha256.js';

const SHA256_BYTES = 32;

export type ContentDigestCheck = 'ok' | 'missing' | 'mismatch' | 'malformed';

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
  if (isInnerList(member) || !(member[0] instanceof ArrayBuffer) || member[0].byteLength !== SHA256_BYTES) {
    return 'malformed';
  }
  const expected = createHash('sha256').update(body).digest();
  return signaturesEqual(new Uint8Array(member[0]), expected) ? 'ok' : 'mismatch';
}
