import type { AuthOutcome } from '../core/auth/index.js';

/** How a data-plane request presented its credential; the label of `rekey_verifications_total`. */
export type VerificationMethod = 'basic' | 'bearer' | 'oauth1' | 'signature' | 'none';

/**
 * Verifications by method and outcome code, counted with plain integer increments so the hot path
 * pays no metrics library per request (SPEC §13); `/metrics` reads the counts when scraped. Codes
 * come from the closed error-code union, so no label ever carries account data.
 */
export interface VerificationTally {
  count(method: VerificationMethod, outcome: AuthOutcome): void;
  /** `method|code` → count. */
  snapshot(): ReadonlyMap<string, number>;
}

export function createVerificationTally(): VerificationTally {
  // Successes are the hot path: one integer field per method, no key built per request.
  const successes: Record<VerificationMethod, number> = { basic: 0, bearer: 0, oauth1: 0, signature: 0, none: 0 };
  const failures = new Map<string, number>();
  return {
    count(method, outcome) {
      if (outcome.ok) {
        successes[method]++;
        return;
      }
      const key = `${method}|${outcome.error.code}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    },
    snapshot() {
      const counts = new Map(failures);
      for (const [method, count] of Object.entries(successes)) if (count > 0) counts.set(`${method}|ok`, count);
      return counts;
    },
  };
}

/** The method from the Authorization scheme, without a regular expression (it runs per request). */
export function verificationMethodOf(headers: Record<string, string | undefined>): VerificationMethod {
  const authorization = headers.authorization;
  if (authorization === undefined || authorization.length < 2)
    return headers['signature-input'] !== undefined || headers.signature !== undefined ? 'signature' : 'none';
  const first = authorization.charCodeAt(0) | 0x20;
  if (first === 0x6f) return 'oauth1';
  if (first === 0x62) return (authorization.charCodeAt(1) | 0x20) === 0x61 ? 'basic' : 'bearer';
  return headers['signature-input'] !== undefined || headers.signature !== undefined ? 'signature' : 'none';
}
