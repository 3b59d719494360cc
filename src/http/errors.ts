import { RekeyError, type ErrorCode } from '../core/kernel/index.js';

interface CatalogueEntry {
  status: number;
  title: string;
  /** What the code means and what to do about it; served at /problems/<code>. */
  description: string;
}

/** The one place an error code becomes an HTTP status and a problem document (RFC 9457). */
export const ERROR_CATALOGUE: Record<ErrorCode, CatalogueEntry> = {
  invalid_request: {
    status: 400,
    title: 'Invalid request',
    description:
      'The request body, query or headers do not match the schema, or OAuth 1.0a parameters are missing, duplicated or unsupported. `errors[]` lists each bad field by JSON Pointer. Nothing was changed.',
  },
  unauthenticated: {
    status: 401,
    title: 'Authentication required',
    description:
      'No usable credentials were sent, or the client cannot use the method that was sent (an integrator must sign its requests). Send credentials as the `WWW-Authenticate` challenge describes.',
  },
  malformed_credential: {
    status: 401,
    title: 'Malformed credential',
    description:
      "The credential is not in Rekey's format or its checksum is wrong. It was rejected before any lookup: check for truncation or a copy-paste error.",
  },
  unknown_client: { status: 401, title: 'Unknown client', description: 'No client has that id. Check the id you configured.' },
  bad_secret: {
    status: 401,
    title: 'Wrong secret',
    description: 'The secret does not belong to this client. For key accounts this counts towards the lockout limit.',
  },
  stale_secret: {
    status: 401,
    title: 'Stale secret',
    description:
      'The secret belonged to this client but was replaced by a newer version and its grace period (if any) has ended. Fetch or paste the current secret.',
  },
  revoked: {
    status: 401,
    title: 'Revoked',
    description: 'The credential was explicitly revoked (or its client deleted). It will never work again.',
  },
  expired: { status: 401, title: 'Expired', description: 'The credential reached its expiry time.' },
  locked: {
    status: 401,
    title: 'Key account locked',
    description:
      'Too many failed attempts locked this key account — or, with `lockScope: "source"` in the problem, locked it for the caller\'s address (IPv4 address or IPv6 /64) only. Every attempt so locked is refused, even with the right secret, until an administrator unlocks it, the secret is regenerated, or the lock period passes.',
  },
  no_credentials: {
    status: 401,
    title: 'No credentials',
    description:
      'The client has no active secret (for example after a sandbox refresh, or before the first registration). Regenerate or register to issue one. As a 409 it means an operation needs credentials that do not exist yet.',
  },
  session_revoked: {
    status: 401,
    title: 'Session ended',
    description: 'The console session was ended, e.g. by an administrator (`reason`). Sign in again.',
  },
  bad_signature: {
    status: 401,
    title: 'Bad signature',
    description: "The request signature does not verify with the client's secret, or the signature parameters are unusable.",
  },
  replayed_nonce: {
    status: 401,
    title: 'Replayed nonce',
    description: 'The nonce was already used within the timestamp window. Use a fresh random nonce for every request.',
  },
  timestamp_out_of_window: {
    status: 401,
    title: 'Timestamp out of window',
    description: "The signature's creation time is more than 300 seconds away from the server's clock. Check the caller's clock.",
  },
  digest_mismatch: {
    status: 401,
    title: 'Content digest mismatch',
    description:
      'The Content-Digest header (request signatures) or the oauth_body_hash parameter (OAuth 1.0a) does not match the body Rekey received, or a signed request with a body carries no Content-Digest.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The caller is authenticated but lacks the permission this action needs. Nothing was changed; the attempt was audited.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description: "No resource with that id exists in the caller's account. Ids of other accounts are reported the same way.",
  },
  use_reset: {
    status: 409,
    title: 'Use reset',
    description: 'Integration records (tba) are reset, not regenerated: call POST /v1/clients/{id}/reset.',
  },
  not_tba: {
    status: 409,
    title: 'Not an integration record',
    description: 'Reset applies only to tba clients; regenerate other profiles.',
  },
  tba_disabled: {
    status: 409,
    title: 'Token-based authentication disabled',
    description: 'This integration record does not use token-based authentication, so it has no consumer pair to reset.',
  },
  bundle_managed: {
    status: 409,
    title: 'Managed by a bundle',
    description: "This integration was installed from another account's bundle; only the owning account (`ownerAccountId`) can reset it.",
  },
  registration_only: {
    status: 409,
    title: 'Registration only',
    description: 'The portal key account is rotated only by running the registration again (POST /v1/register).',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description:
      'The request conflicts with the current state: the resource already exists, is deleted, or an Idempotency-Key was reused for a different request.',
  },
  payload_too_large: { status: 413, title: 'Payload too large', description: 'Request bodies are limited to 1 MiB.' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', description: 'This endpoint accepts application/json only.' },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description: 'Too many attempts in a short time. Retry after `retryAfter` seconds.',
  },
  internal: {
    status: 500,
    title: 'Internal error',
    description: 'Something failed inside Rekey. The request id identifies it in the server log. Never caused by bad input.',
  },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    description:
      'The credential store is unreachable, or this node cannot confirm its cached credentials are current. Retry shortly; another node may answer.',
  },
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  [extension: string]: unknown;
}

/** Builds the problem document for an error; extension members come from the error's fields. */
export function toProblem(error: RekeyError, context: { instance: string; requestId: string; status?: number }): ProblemDocument {
  const entry = ERROR_CATALOGUE[error.code];
  const problem: ProblemDocument = {
    type: `/problems/${error.code}`,
    title: entry.title,
    status: context.status ?? entry.status,
    detail: error.message,
    instance: context.instance,
    code: error.code,
    requestId: context.requestId,
  };
  for (const [key, value] of Object.entries(error.fields)) {
    if (key === 'challenge') continue;
    if (value !== undefined && /^[A-Za-z][A-Za-z0-9_]*$/.test(key) && !(key in problem)) problem[key] = value;
  }
  return problem;
}

/** Data-plane routes authenticate a credential; control-plane routes act for a member (`auth: 'control'`). */
export type Plane = 'data' | 'control';

/**
 * Where the control plane answers otherwise (SPEC §6): `no_credentials` is 401 when a credential
 * has no active secret, but 409 when an operation needs credentials the account does not have yet
 * (signing a URL before the first registration).
 */
const CONTROL_PLANE_STATUS: Partial<Record<ErrorCode, number>> = { no_credentials: 409 };

export function statusOf(error: RekeyError, plane: Plane = 'data'): number {
  return (plane === 'control' ? CONTROL_PLANE_STATUS[error.code] : undefined) ?? ERROR_CATALOGUE[error.code].status;
}
