import type { AccessTokenClaims } from '../core/oauth/index.js';
import type { AccessTokenSigner } from './access-token-signer.js';

/** Signs access tokens in batches; `sign` resolves to the compact JWT. */
export interface SigningBatch {
  sign(signer: AccessTokenSigner, claims: AccessTokenClaims): Promise<string>;
  /** Tokens waiting for the next batch (for tests and diagnostics). */
  pending(): number;
}

interface Waiting {
  signer: AccessTokenSigner;
  claims: AccessTokenClaims;
  resolve: (token: string) => void;
  reject: (error: unknown) => void;
}

/** At most this many signatures per event-loop turn; the rest wait one turn, so I/O is not starved. */
export const MAX_BATCH = 256;

/**
 * Token requests that arrive in the same event-loop turn are signed together, right after the
 * turn's I/O, and their responses then go out back to back.
 *
 * Why: an ES256 signature costs about 25 µs when signatures follow one another, but 50–60 µs when
 * each one sits between socket reads and writes, which evict the CPU caches and branch history
 * the signing code needs. Under load, signing one batch per turn halves the CPU each token costs
 * (bench/README-scenarios.md). Under light load a batch holds one token, and the token waits only
 * for the rest of the current turn (`setImmediate`).
 *
 * Each token settles on its own: a signer that throws fails only its own request.
 */
export function createSigningBatch(schedule: (run: () => void) => void = setImmediate): SigningBatch {
  let queue: Waiting[] = [];
  const run = (): void => {
    const batch = queue.length > MAX_BATCH ? queue.splice(0, MAX_BATCH) : queue;
    if (batch === queue) queue = [];
    else schedule(run);
    for (const item of batch) {
      let token: string;
      try {
        token = item.signer.sign(item.claims);
      } catch (error) {
        item.reject(error);
        continue;
      }
      item.resolve(token);
    }
  };
  return {
    sign: (signer, claims) =>
      new Promise<string>((resolve, reject) => {
        if (queue.push({ signer, claims, resolve, reject }) === 1) schedule(run);
      }),
    pending: () => queue.length,
  };
}
