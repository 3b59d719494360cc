import type { Random } from '../kernel/random.js';

const JTI_BYTES = 16;
const BATCH = 256;

/**
 * Access-token ids (`jti`): 128 random bits each, drawn from the injected Random in batches so
 * the token endpoint pays for one CSPRNG call per 256 tokens rather than one per token.
 */
export function createTokenIds(random: Random): () => string {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + JTI_BYTES > pool.length) {
      pool = Buffer.from(random.bytes(JTI_BYTES * BATCH));
      offset = 0;
    }
    const id = pool.toString('base64url', offset, offset + JTI_BYTES);
    pool.fill(0, offset, offset + JTI_BYTES);
    offset += JTI_BYTES;
    return id;
  };
}
