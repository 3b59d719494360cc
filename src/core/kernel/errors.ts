/** Every error Rekey can answer with. The HTTP layer maps each code to a status in exactly one place. */
export const ERROR_CODES = [
  'invalid_request',
  'unauthenticated',
  'malformed_credential',
  'unknown_client',
  'bad_secret',
  'stale_secret',
  'revoked',
  'expired',
  'locked',
  'no_credentials',
  'session_revoked',
  'bad_signature',
  'replayed_nonce',
  'timestamp_out_of_window',
  'digest_mismatch',
  'forbidden',
  'not_found',
  'use_reset',
  'not_tba',
  'tba_disabled',
  'bundle_managed',
  'registration_only',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal',
  'unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  /** JSON Pointer (RFC 6901) into the request body. */
  pointer: string;
  message: string;
}

export interface RekeyErrorFields {
  /** 401: the realm of the challenge. */
  realm?: string;
  /** 401: the scope the resource requires. */
  scope?: string;
  /** 404: what was looked up. */
  resourceType?: string;
  resourceId?: string;
  /** 400: one entry per bad field. */
  errors?: FieldError[];
  /** 429: seconds until a retry may succeed. */
  retryAfter?: number;
  /** Extra, non-secret facts (e.g. the owning account of a bundle). */
  [extra: string]: unknown;
}

/** The one error type of the domain. Messages never contain a secret. */
export class RekeyError extends Error {
  readonly code: ErrorCode;
  readonly fields: RekeyErrorFields;

  constructor(code: ErrorCode, message: string, fields: RekeyErrorFields = {}) {
    super(message);
    this.name = 'RekeyError';
    this.code = code;
    this.fields = fields;
  }
}

export function notFound(resourceType: string, resourceId: string): RekeyError {
  return new RekeyError('not_found', `No ${resourceType} with that id exists.`, { resourceType, resourceId });
}

export function invalid(pointer: string, message: string): RekeyError {
  return new RekeyError('invalid_request', message, { errors: [{ pointer, message }] });
}
