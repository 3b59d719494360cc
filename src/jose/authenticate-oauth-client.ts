import { authenticateClient, type AuthContext, type AuthOutcome, type CachedClient, type UsageRecorder } from '../core/auth/index.js';
import { PROFILES, PROFILE_DESCRIPTORS, type Client, type SecretVersion } from '../core/credentials/index.js';
import { type CoreDeps, isWellFormedCredential } from '../core/kernel/index.js';
import { clientCredentialsOf, type ClientAuthMethod, OAuthError } from '../core/oauth/index.js';

/** The profiles that authenticate at the token endpoints: those issuing access tokens. */
const TOKEN_PROFILES = PROFILES.filter((profile) => PROFILE_DESCRIPTORS[profile].issuesAccessTokens);

export interface AuthenticatedOAuthClient {
  client: Client;
  version: SecretVersion;
  entry: CachedClient;
  method: ClientAuthMethod;
}

/**
 * Client authentication for the token, introspection and revocation endpoints: only `oauth`
 * clients, with the same secret checks (and the same failure statistics) as every other method.
 * Any failure is `invalid_client`; its description says why, never with a secret in it. Like
 * `authenticateClient`, a cached client is answered without a promise (SPEC §9); failures are
 * thrown synchronously or rejected, as the outcome arrives.
 */
export function authenticateOAuthClient(
  deps: { core: CoreDeps; usage: UsageRecorder },
  authorization: string | undefined,
  params: ReadonlyMap<string, string>,
  context: AuthContext,
  now: number,
): AuthenticatedOAuthClient | Promise<AuthenticatedOAuthClient> {
  const credentials = clientCredentialsOf(authorization, params);
  if (!isWellFormedCredential(credentials.secret, 'secret')) {
    throw new OAuthError('invalid_client', "The client secret is not in Rekey's format or its checksum is wrong.");
  }
  const outcome = authenticateClient(
    deps.core,
    deps.usage,
    credentials.clientId,
    { kind: 'secret', secret: credentials.secret },
    {
      credentialType: 'basic',
      profiles: TOKEN_PROFILES,
      now,
      context,
    },
  );
  const conclude = (settled: AuthOutcome): AuthenticatedOAuthClient => {
    if (!settled.ok) {
      if (settled.error.code === 'unavailable') throw new OAuthError('temporarily_unavailable', settled.error.message);
      const message =
        settled.error.code === 'unauthenticated' ? 'Only OAuth clients (profile oauth) use this endpoint.' : settled.error.message;
      throw new OAuthError('invalid_client', message);
    }
    return { client: settled.entry.client, version: settled.version, entry: settled.entry, method: credentials.method };
  };
  return outcome instanceof Promise ? outcome.then(conclude) : conclude(outcome);
}
