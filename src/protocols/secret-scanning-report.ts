import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * Leaked-secret reports in the GitHub secret-scanning partner format (SPEC §12): the reporter signs
 * the raw request body with ECDSA P-256 / SHA-256, names its key in `Github-Public-Key-Identifier`
 * and sends the DER signature, base64, in `Github-Public-Key-Signature`.
 */
export const REPORT_KEY_ID_HEADER = 'github-public-key-identifier';
export const REPORT_SIGNATURE_HEADER = 'github-public-key-signature';

export interface ReporterKey {
  id: string;
  publicKey: KeyObject;
}

export type ReportSignatureVerdict = 'ok' | 'unknown_key' | 'bad_signature';

// A DER ECDSA P-256 signature is at most 72 bytes (96 base64 characters).
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{1,200}={0,2}$/;

/** Reads a reporter's public key: PEM SPKI, EC on P-256 only. Throws an Error saying what is wrong. */
export function parseReporterPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('must be an ECDSA P-256 (prime256v1) key');
  }
  return key;
}

/** Checks a report's signature over its raw body, before anything reads the body. */
export function verifyReportSignature(
  keys: readonly ReporterKey[],
  keyId: string,
  signatureBase64: string,
  rawBody: Uint8Array,
): ReportSignatureVerdict {
  const key = keys.find((candidate) => candidate.id === keyId);
  if (key === undefined) return 'unknown_key';
  if (!SIGNATURE_BASE64.test(signatureBase64)) return 'bad_signature';
  try {
    const signature = Buffer.from(signatureBase64, 'base64');
    return verify('sha256', rawBody, { key: key.publicKey, dsaEncoding: 'der' }, signature) ? 'ok' : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}
