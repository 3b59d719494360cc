import type { FastifyRequest } from 'fastify';
import { authenticateAdminToken } from '../core/authenticate-admin-token.js';
import type { Caller } from '../core/core-deps.js';
import { RekeyError } from '../core/errors.js';
import type { AppDeps } from './app-deps.js';

/** Resolves the caller of a control-plane route: an admin token (and, with sign-in, a console session). */
export async function authenticateControl(deps: AppDeps, request: FastifyRequest): Promise<Caller> {
  const header = request.headers.authorization;
  if (!header) throw new RekeyError('unauthenticated', 'Send an admin token as `Authorization: Bearer rk_adm_…`.');
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!match) throw new RekeyError('unauthenticated', 'The control API takes `Authorization: Bearer <admin token>`.');
  return authenticateAdminToken(deps.core, match[1]!);
}
