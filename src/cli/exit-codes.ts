import type { ErrorCode } from '../core/kernel/index.js';

/** Exit codes of SPEC §8. */
export const EXIT = { ok: 0, unexpected: 1, usage: 2, notFound: 3, conflict: 4, auth: 5, unreachable: 6, auditBroken: 7 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of each error; a new error code does not compile until it has one. */
export const EXIT_CODES: Record<ErrorCode, ExitCode> = {
  invalid_request: EXIT.usage,
  unauthenticated: EXIT.auth,
  malformed_credential: EXIT.auth,
  unknown_client: EXIT.auth,
  bad_secret: EXIT.auth,
  stale_secret: EXIT.auth,
  revoked: EXIT.auth,
  expired: EXIT.auth,
  locked: EXIT.auth,
  no_credentials: EXIT.conflict,
  session_revoked: EXIT.auth,
  bad_signature: EXIT.auth,
  replayed_nonce: EXIT.auth,
  timestamp_out_of_window: EXIT.auth,
  digest_mismatch: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.notFound,
  use_reset: EXIT.conflict,
  not_tba: EXIT.conflict,
  tba_disabled: EXIT.conflict,
  bundle_managed: EXIT.conflict,
  registration_only: EXIT.conflict,
  conflict: EXIT.conflict,
  payload_too_large: EXIT.usage,
  unsupported_media_type: EXIT.usage,
  rate_limited: EXIT.auth,
  internal: EXIT.unexpected,
  unavailable: EXIT.unreachable,
};
