import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../kernel/random.js';
import { createTokenIds } from './token-ids.js';

describe('createTokenIds', () => {
  it('gives distinct 128-bit ids across batch boundaries', () => {
    const next = createTokenIds(cryptoRandom);
    const ids = Array.from({ length: 1000 }, next);
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
  it('draws its randomness from the injected source', () => {
    let calls = 0;
    const next = createTokenIds({
      bytes: (length) => {
        calls++;
        return new Uint8Array(length).fill(calls);
      },
    });
    expect(next()).toBe(Buffer.alloc(16, 1).toString('base64url'));
    for (let i = 0; i < 255; i++) next();
    expect(next()).toBe(Buffer.alloc(16, 2).toString('base64url'));
  });
});
