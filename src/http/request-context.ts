import type { FastifyRequest } from 'fastify';
import { type Caller, RekeyError, invalid } from '../core/kernel/index.js';

/** The authenticated control-plane caller; the shared preHandler guarantees it on `auth: 'control'` routes. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new RekeyError('unauthenticated', 'This call needs an admin token.');
  return request.caller;
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || !/^[\x21-\x7E]{1,255}$/.test(value)) {
    throw invalid('/headers/idempotency-key', 'Idempotency-Key must be 1–255 visible ASCII characters, sent once.');
  }
  return value;
}

/** The caller's network address, honouring X-Forwarded-For only when REKEY_TRUST_PROXY is on. */
export function addressOf(request: FastifyRequest): string {
  return request.ip;
}
