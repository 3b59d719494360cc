import type { Random } from './random.js';

/**
 * Credential strings: `<prefix><random base62><6-char base62 CRC32 of the random part>`.
 * The checksum lets a verifier reject typos and foreign strings before touching storage.
 */
export const CREDENTIAL_PREFIXES = {
  secret: 'rk_sec_',
  tokenSecret: 'rk_tok_',
  adminToken: 'rk_adm_',
  appToken: 'rk_app_',
  /** Platform operators (SPEC §13): accounts, never anything inside one. */
  operatorToken: 'rk_op_',
} as const;

export type CredentialKind = keyof typeof CREDENTIAL_PREFIXES;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters carry 256.03 bits. */
export const RANDOM_PART_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

/** Uniform base62 string by rejection sampling: bytes ≥ 248 are discarded so no symbol is favoured. */
export function randomBase62(random: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = random.bytes(length * 2);
    for (const byte of bytes) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32/IEEE over the UTF-8 bytes (the random part is ASCII). */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function checksumOf(randomPart: string): string {
  let value = crc32(randomPart);
  let out = '';
  while (value > 0) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out.padStart(CHECKSUM_LENGTH, '0');
}

export function generateCredential(kind: CredentialKind, random: Random): string {
  const randomPart = randomBase62(random, RANDOM_PART_LENGTH);
  return CREDENTIAL_PREFIXES[kind] + randomPart + checksumOf(randomPart);
}

const SHAPE = /^[0-9A-Za-z]+$/;

/** True only for a string of our exact format with a valid checksum. Pure: no storage access. */
export function isWellFormedCredential(value: string, kind: CredentialKind): boolean {
  const prefix = CREDENTIAL_PREFIXES[kind];
  if (value.length !== prefix.length + RANDOM_PART_LENGTH + CHECKSUM_LENGTH) return false;
  if (!value.startsWith(prefix)) return false;
  const body = value.slice(prefix.length);
  if (!SHAPE.test(body)) return false;
  const randomPart = body.slice(0, RANDOM_PART_LENGTH);
  return checksumOf(randomPart) === body.slice(RANDOM_PART_LENGTH);
}
