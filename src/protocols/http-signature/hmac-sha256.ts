import { createHmac, timingSafeEqual } from 'node:crypto';

/** The one algorithm of the integrator profile (RFC 9421 §3.3.3) and the length of its signatures. */
export const HMAC_SHA256 = 'hmac-sha256';
export const HMAC_SHA256_BYTES = 32;

/** RFC 9421 §3.3.3 `hmac-sha256` over the UTF-8 (here US-ASCII) signature base. */
export function hmacSha256Signature(key: Uint8Array, signatureBase: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(signatureBase, 'utf8').digest());
}

/** Constant time for equal lengths; different lengths answer false without throwing. */
export function signaturesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
