import type { AuthOutcome } from '../core/authenticate-client.js';
import type { CoreDeps } from '../core/core-deps.js';
import { RekeyError } from '../core/errors.js';
import type { DataPlaneRequest, RequestAuthOptions } from './authenticate-request.js';

/** `Authorization: Bearer <jwt>`: access tokens from /oauth/token (SPEC §4.4). */
export async function authenticateBearer(
  _deps: CoreDeps,
  _token: string,
  _request: DataPlaneRequest,
  _options: RequestAuthOptions,
): Promise<AuthOutcome> {
  return { ok: false, error: new RekeyError('unauthenticated', 'Bearer access tokens are not enabled on this server.') };
}
