import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checksumOf, crc32, generateCredential, isWellFormedCredential, randomBase62, RANDOM_PART_LENGTH } from './credential-format.js';
import { cryptoRandom, type Random } from './random.js';

const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/checksum.json', import.meta.url), 'utf8'));
const list: Array<{ random: string; checksum: string }> = Array.isArray(vectors) ? vectors : vectors.vectors;

describe('credential format', () => {
  it.each(list)('checksum of $random is $checksum', ({ random, checksum }) => {
    expect(checksumOf(random)).toBe(checksum);
  });

  it('computes CRC-32/IEEE', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it('generates well-formed credentials of every kind', () => {
    for (const kind of ['secret', 'tokenSecret', 'adminToken', 'appToken'] as const) {
      const value = generateCredential(kind, cryptoRandom);
      expect(value).toMatch(/^rk_(sec|tok|adm|app)_[0-9A-Za-z]{49}$/);
      expect(isWellFormedCredential(value, kind)).toBe(true);
    }
  });

  it('rejects a wrong checksum, a wrong prefix, a wrong length and foreign characters', () => {
    const value = generateCredential('secret', cryptoRandom);
    const flipped = value.slice(0, -1) + (value.endsWith('0') ? '1' : '0');
    expect(isWellFormedCredential(flipped, 'secret')).toBe(false);
    expect(isWellFormedCredential(value, 'adminToken')).toBe(false);
    expect(isWellFormedCredential(value.slice(0, -2), 'secret')).toBe(false);
    expect(isWellFormedCredential(`${value.slice(0, 10)}-${value.slice(11)}`, 'secret')).toBe(false);
  });

  it('samples base62 without modulo bias (bytes ≥ 248 are discarded)', () => {
    let call = 0;
    // First bytes are all rejectable, then a known sequence.
    const fixed: Random = { bytes: (n) => (call++ === 0 ? new Uint8Array(n).fill(250) : Uint8Array.from({ length: n }, (_, i) => i % 62)) };
    expect(randomBase62(fixed, 5)).toBe('01234');
  });

  it('carries at least 256 bits in the random part', () => {
    expect(RANDOM_PART_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });
});
