import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../core/signing-key.js';

/**
 * A JWS Compact Serialization signer (RFC 7515 §7.1) for ES256 (RFC 7518 §3.4: the raw R‖S
 * signature, not DER) and EdDSA with Ed25519 (RFC 8037 §3.1). It signs synchronously with
 * node:crypto: token issuance is the OAuth data plane's hot path, and signing through WebCrypto
 * costs a thread-pool round trip per token. The protected header is fixed per key, so it is
 * encoded once. Verification stays with the JOSE library; the tests check every token this makes
 * with it, and the RFC 8037 §A.4 vector byte for byte.
 */
export interface CompactSigner {
  readonly alg: SigningAlgorithm;
  /** Signs `payload` (a JSON text) under the fixed header and returns `header.payload.signature`. */
  sign(payload: string): string;
}

export function createCompactSigner(alg: SigningAlgorithm, privateJwk: JsonWebKey, header: Record<string, unknown>): CompactSigner {
  const key: KeyObject = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const expectedType = alg === 'ES256' ? 'ec' : 'ed25519';
  if (key.asymmetricKeyType !== expectedType) throw new Error(`A ${alg} signer needs an ${expectedType} key, not ${String(key.asymmetricKeyType)}.`);
  if (alg === 'ES256' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('ES256 needs a P-256 key.');
  const encodedHeader = Buffer.from(JSON.stringify({ alg, ...header }), 'utf8').toString('base64url');
  return {
    alg,
    sign(payload) {
      const signingInput = `${encodedHeader}.${Buffer.from(payload, 'utf8').toString('base64url')}`;
      const data = Buffer.from(signingInput, 'ascii');
      const signature = alg === 'ES256' ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : sign(null, data, key);
      return `${signingInput}.${signature.toString('base64url')}`;
    },
  };
}
