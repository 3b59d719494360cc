import { encodeBase64 } from './base64.js';

/** RFC 9530 `Content-Digest` with `sha-256`, computed with WebCrypto. */
export async function computeContentDigest(body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return `sha-256=:${encodeBase64(digest)}:`;
}
