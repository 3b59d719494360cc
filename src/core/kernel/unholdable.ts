import { RekeyError } from './errors.js';

// A NUL (PostgreSQL text cannot hold one) or a UTF-16 surrogate without its pair (no UTF-8 store
// can hold one; the drivers would silently turn it into U+FFFD).
const UNHOLDABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `value` is a string no store can hold as given. */
export function isUnholdable(value: unknown): boolean {
  return typeof value === 'string' && UNHOLDABLE.test(value);
}

/**
 * The one place, below every store, that refuses what no store can hold (SPEC §5), so SQLite and
 * PostgreSQL answer alike: a value no row can contain is bad input (400), never a driver error
 * that would surface as 500 `internal` or 503 `unavailable`. Lookups by path id never get here
 * with such a value: the HTTP layer answers those 404 first.
 */
export function refuseUnholdable(params: readonly unknown[]): void {
  if (params.some(isUnholdable)) {
    throw new RekeyError('invalid_request', 'The request holds a NUL character or an unpaired surrogate, which Rekey does not accept.');
  }
}

/** True for the store's refusal of bad input: callers that map store failures to `unavailable` let it through. */
export function isRefusedInput(error: unknown): error is RekeyError {
  return error instanceof RekeyError && error.code === 'invalid_request';
}
