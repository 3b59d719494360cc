import type { AuthOutcome } from '../core/auth/index.js';
import { type CoreDeps, RekeyError } from '../core/kernel/index.js';
import { inspectAccessToken, oauthRuntimeOf } from '../jose/oauth-runtime.js';
import type { DataPlaneRequest, RequestAuthOptions } from './authenticate-request.js';

/** RFC 6750 §3: failures name `invalid_token`; the quoted description holds no token material. */
function challenge(message: string): string {
  return `Bearer realm="rekey", error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`;
}

/**
 * `Authorization: Bearer <jwt>`: access tokens from /oauth/token (SPEC §4.4), checked as a
 * resource server would — signature, issuer, expiry, audience — and then against the client's
 * current state, so revoked tokens fail here even though offline verifiers see them until `exp`.
 */
export async function authenticateBearer(
  deps: CoreDeps,
  token: string,
  _request: DataPlaneRequest,
  options: RequestAuthOptions,
): Promise<AuthOutcome> {
  const runtime = oauthRuntimeOf(deps);
  if (!runtime) return { ok: false, error: new RekeyError('unauthenticated', 'Bearer access tokens are not enabled on this server.') };
  const inspected = await inspectAccessToken(deps, runtime, token.trim(), {
    now: deps.clock.now(),
    checkAudience: true,
    ...(options.accountId !== undefined ? { accountId: options.accountId } : {}),
  });
  if (!inspected.ok) {
    const fields = inspected.code === 'unavailable' ? { retryAfter: 1 } : { challenge: challenge(inspected.message) };
    return { ok: false, error: new RekeyError(inspected.code, inspected.message, fields) };
  }
  const { claims, entry, version } = inspected;
  return {
    ok: true,
    entry,
    version,
    identity: {
      credentialType: 'jwt',
      accountId: entry.client.accountId,
      clientId: entry.client.id,
      profile: entry.client.profile,
      versionId: version.id,
      scope: claims.scope,
    },
  };
}
