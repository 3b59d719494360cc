import type { AuthOutcome } from '../core/authenticate-client.js';
import type { CoreDeps } from '../core/core-deps.js';
import { RekeyError } from '../core/errors.js';
import type { UsageRecorder } from '../core/usage-recorder.js';
import type { DataPlaneRequest, RequestAuthOptions } from './authenticate-request.js';

/** OAuth 1.0a token-based authentication (SPEC §4.2). */
export async function authenticateOAuth1(
  _deps: CoreDeps,
  _usage: UsageRecorder,
  _request: DataPlaneRequest,
  _options: RequestAuthOptions,
): Promise<AuthOutcome> {
  return { ok: false, error: new RekeyError('unauthenticated', 'OAuth 1.0a is not enabled on this server.') };
}
