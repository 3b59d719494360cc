import type { FastifyRequest } from 'fastify';
import { authenticateAdminToken, authenticateSession } from '../core/accounts/index.js';
import { type Caller, isWellFormedCredential, RekeyError } from '../core/kernel/index.js';
import type { AppDeps } from './app-deps.js';

/** The console session cookie (HttpOnly) and the CSRF token cookie the console's script reads. */
export const SESSION_COOKIE = 'rekey_session';
export const CSRF_COOKIE = 'rekey_csrf';

/** One cookie's value from the Cookie header, or undefined. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

/**
 * Resolves the caller of a control-plane route: an admin token (`Authorization: Bearer rk_adm_…`)
 * or a console session (cookie, plus `X-CSRF-Token` on unsafe methods). Either way permissions are
 * the member's live ones.
 */
export async function authenticateControl(deps: AppDeps, request: FastifyRequest): Promise<Caller> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
    if (!match) throw new RekeyError('unauthenticated', 'The control API takes `Authorization: Bearer <admin token>`.');
    // SPEC §13: operator tokens act on /v1/accounts only, never inside an account.
    if (isWellFormedCredential(match[1]!, 'operatorToken'))
      throw new RekeyError('forbidden', 'An operator token cannot act inside an account; use an admin token of that account.');
    return authenticateAdminToken(deps.core, match[1]!);
  }
  const session = cookieOf(request, SESSION_COOKIE);
  if (session !== undefined) {
    const csrf = request.headers['x-csrf-token'];
    return authenticateSession(deps.core, session, { method: request.method, csrfToken: Array.isArray(csrf) ? undefined : csrf });
  }
  throw new RekeyError('unauthenticated', 'Send an admin token as `Authorization: Bearer rk_adm_…`, or sign in (POST /v1/sessions).');
}
