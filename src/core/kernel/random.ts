import { randomBytes } from 'node:crypto';

/** Randomness, injected so tests can fix it. */
export interface Random {
  bytes(length: number): Uint8Array;
}

export const cryptoRandom: Random = { bytes: (length) => randomBytes(length) };
