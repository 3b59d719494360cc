import { createCipheriv, createDecipheriv, createHmac, hash as digest, hkdfSync } from 'node:crypto';
import { RekeyError } from './errors.js';
import type { Random } from './random.js';

/**
 * Keys at rest (SPEC §2). The master key never touches the database; it wraps the data key,
 * the pepper and the signed-URL salt, which live there wrapped. The pepper never changes, so
 * re-wrapping under a new master key breaks no stored hash.
 */
export interface KeyMaterial {
  dataKey: Buffer;
  pepper: Buffer;
  signedUrlSalt: Buffer;
}

export interface WrappedKeyMaterial {
  masterFingerprint: string;
  wrappedDataKey: string;
  wrappedPepper: string;
  wrappedSignedUrlSalt: string;
}

export const MASTER_KEY_BYTES = 32;

export function parseMasterKey(base64: string): Buffer {
  const text = base64.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== MASTER_KEY_BYTES) {
    throw new RekeyError('invalid_request', `The master key must be ${MASTER_KEY_BYTES} bytes, base64-encoded.`);
  }
  return key;
}

/** A public, non-reversible name for a master key, recorded in the database. */
export function masterKeyFingerprint(masterKey: Buffer): string {
  return createHmac('sha256', masterKey).update('rekey master key fingerprint v1').digest('hex').slice(0, 32);
}

export function createKeyMaterial(random: Random): KeyMaterial {
  return {
    dataKey: Buffer.from(random.bytes(32)),
    pepper: Buffer.from(random.bytes(32)),
    signedUrlSalt: Buffer.from(random.bytes(32)),
  };
}

function seal(key: Buffer, plaintext: Buffer, aad: string, random: Random): string {
  const iv = Buffer.from(random.bytes(12));
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  if (!sealed.startsWith('v1.')) throw new Error('unknown ciphertext version');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  if (raw.length < 28) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
}

export function wrapKeyMaterial(masterKey: Buffer, material: KeyMaterial, random: Random): WrappedKeyMaterial {
  return {
    masterFingerprint: masterKeyFingerprint(masterKey),
    wrappedDataKey: seal(masterKey, material.dataKey, 'rekey data key', random),
    wrappedPepper: seal(masterKey, material.pepper, 'rekey pepper', random),
    wrappedSignedUrlSalt: seal(masterKey, material.signedUrlSalt, 'rekey signed-url salt', random),
  };
}

export function unwrapKeyMaterial(masterKey: Buffer, wrapped: WrappedKeyMaterial): KeyMaterial {
  if (masterKeyFingerprint(masterKey) !== wrapped.masterFingerprint) {
    throw new RekeyError(
      'conflict',
      `The master key does not match this database (database expects key ${wrapped.masterFingerprint}, ` +
        `got ${masterKeyFingerprint(masterKey)}). Start with the key this database was created or last re-wrapped with.`,
    );
  }
  return {
    dataKey: open(masterKey, wrapped.wrappedDataKey, 'rekey data key'),
    pepper: open(masterKey, wrapped.wrappedPepper, 'rekey pepper'),
    signedUrlSalt: open(masterKey, wrapped.wrappedSignedUrlSalt, 'rekey signed-url salt'),
  };
}

/** Operations on unwrapped keys. Hashes and ciphertexts are what storage ever sees. */
export interface Keyring {
  /** HMAC-SHA256 under the pepper, base64url: the stored, looked-up form of a secret. */
  hash(secret: string): string;
  /** Constant-time comparison of a presented secret's hash with a stored one. */
  hashesEqual(a: string, b: string): boolean;
  /** AES-256-GCM under the data key; `aad` binds the ciphertext to its owner (client id + version id). */
  encrypt(plaintext: string, aad: string): string;
  decrypt(ciphertext: string, aad: string): string;
  readonly signedUrlSalt: Buffer;
  /**
   * The key of the audit hash chain (SPEC §12): HKDF-SHA256 of the pepper, so it survives a
   * master-key rotation as the pepper does, and someone with only the database cannot forge it.
   */
  readonly auditKey: Buffer;
}

/**
 * Entries in each generation of the hot-path memo of pepper hashes. When the young generation is
 * full it becomes the old one and the oldest is dropped; a hit in the old generation moves back to
 * the young one. So the secrets in use stay memoised whatever the number of clients, and the memo
 * holds at most twice this many entries (~150 bytes each).
 */
export const HASH_MEMO_GENERATION = 50_000;

export function createKeyring(material: KeyMaterial, random: Random): Keyring {
  // Keyed by a plain SHA-256 of the presented secret (never the secret itself): a repeat caller
  // costs one fast digest instead of an HMAC.
  let young = new Map<string, string>();
  let old = new Map<string, string>();
  return {
    hash: (secret) => {
      const key = digest('sha256', secret, 'base64');
      let value = young.get(key);
      if (value === undefined) {
        value = old.get(key) ?? createHmac('sha256', material.pepper).update(secret, 'utf8').digest('base64url');
        if (young.size >= HASH_MEMO_GENERATION) {
          old = young;
          young = new Map();
        }
        young.set(key, value);
      }
      return value;
    },
    hashesEqual: constantTimeEqual,
    encrypt: (plaintext, aad) => seal(material.dataKey, Buffer.from(plaintext, 'utf8'), aad, random),
    decrypt: (ciphertext, aad) => open(material.dataKey, ciphertext, aad).toString('utf8'),
    signedUrlSalt: material.signedUrlSalt,
    auditKey: Buffer.from(hkdfSync('sha256', material.pepper, Buffer.alloc(0), 'rekey audit chain', 32)),
  };
}

/**
 * Equality of two hash strings in time that depends only on their length (a hash's length is
 * public): every character is compared, with no early exit. Allocation-free, since it runs on
 * every authentication.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Additional authenticated data for a secret version's ciphertext. */
export function versionAad(clientId: string, versionId: string): string {
  return `${clientId}\u0000${versionId}`;
}
