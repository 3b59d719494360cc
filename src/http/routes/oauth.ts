import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  accessTokenClaims,
  grantScope,
  revokeAccessToken,
  parseOAuthForm,
  CLIENT_CHALLENGE,
  OAuthError,
  createTokenIds,
} from '../../core/oauth/index.js';
import type { AuthContext } from '../../core/auth/index.js';
import { fieldsOf } from '../../core/credentials/index.js';
import { RekeyError } from '../../core/kernel/index.js';
import {
  authenticateOAuthClient,
  createSigningBatch,
  inspectAccessToken,
  type ActiveSigner,
  type AuthenticatedOAuthClient,
} from '../../jose/index.js';
import type { AppDeps } from '../app-deps.js';
import { addressOf } from '../request-context.js';
import { sourceOf } from '../source-of.js';
import { ok } from '../openapi.js';
import { TOKEN_EXAMPLE } from '../response-examples.js';
import { ref } from '../response-schemas.js';

/** RFC 6749 §5.1; also compiles the 200 serializer. */
const TokenResponseSchema = Type.Object({
  access_token: Type.String({ description: 'A JWT (RFC 9068 header type at+jwt).' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.Optional(Type.String({ description: 'The granted scope, when not empty.' })),
});
type TokenResponse = Static<typeof TokenResponseSchema>;

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];
/** client_secret_basic; client_secret_post (client_id and client_secret in the form) works too. */
const CLIENT_AUTH = [{ basic: [] }];
const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'];

/** RFC 6749 §5.2 bodies for everything the /oauth/* endpoints refuse, including body-parser failures. */
function oauthErrorOf(error: unknown, request: FastifyRequest): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof RekeyError) {
    if (error.code === 'unavailable') return new OAuthError('temporarily_unavailable', error.message);
    if (error.code === 'payload_too_large') return new OAuthError('invalid_request', error.message, { status: 413 });
    if (error.code === 'unsupported_media_type')
      return new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded (RFC 6749 §3.2).');
    if (error.code === 'invalid_request') return new OAuthError('invalid_request', error.message);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fastifyError.statusCode === 413)
    return new OAuthError('invalid_request', 'Request bodies are limited to 1 MiB.', { status: 413 });
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)
    return new OAuthError('invalid_request', 'The request could not be read.');
  request.log.error({ err: { type: fastifyError.name, message: fastifyError.message, stack: fastifyError.stack } }, 'unexpected error');
  return new OAuthError('server_error', `Something went wrong inside Rekey (request ${String(request.id)}).`);
}

function sendOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const oauthError = oauthErrorOf(error, request);
  if (oauthError.status === 401) reply.header('www-authenticate', CLIENT_CHALLENGE);
  if (oauthError.status === 503) reply.header('retry-after', '1');
  return reply
    .code(oauthError.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(oauthError.body()));
}

function contextOf(request: FastifyRequest): AuthContext {
  const address = addressOf(request);
  const context: AuthContext = { address, source: sourceOf(address) };
  const userAgent = request.headers['user-agent'];
  if (userAgent !== undefined) context.userAgent = userAgent.slice(0, 500);
  return context;
}

/** OAuth 2.0 client credentials (SPEC §5 OAuth): token, introspection, revocation, JWKS and metadata. */
export function registerOAuthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core, oauth: runtime } = deps;
  const issuer = runtime.issuer;
  // Create or load the signing keys before the first request; a failure here is retried on use.
  app.addHook('onReady', async () => {
    await runtime.keys.refresh().catch(() => undefined);
  });

  const form = { auth: 'none', accepts: 'form' } as const;
  const nextTokenId = createTokenIds(core.random);
  const signing = createSigningBatch();
  const errorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    sendOAuthError(error, request, reply);

  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Client credentials grant (RFC 6749 §4.4): a JWT access token',
        consumes: ['application/x-www-form-urlencoded'],
        security: CLIENT_AUTH,
        response: { 200: TokenResponseSchema },
      },
      // Issuing and introspecting change nothing: like whoami, their access-log line is debug.
      config: {
        ...form,
        accessLog: 'debug',
        responses: ok(TokenResponseSchema, TOKEN_EXAMPLE, 'A JWT access token (`Cache-Control: no-store`).'),
      },
      errorHandler,
    },
    (request, reply) => {
      const params = parseOAuthForm(request.body);
      const grantType = params.get('grant_type');
      if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required.');
      if (grantType !== 'client_credentials')
        throw new OAuthError('unsupported_grant_type', 'This server issues tokens for the client_credentials grant only.');
      const now = core.clock.now();
      const issue = ({ client, version }: AuthenticatedOAuthClient): Promise<TokenResponse> => {
        const granted = grantScope(params.get('scope'), fieldsOf(client, 'oauth')?.allowedScopes ?? []);
        if (!granted.ok) throw new OAuthError('invalid_scope', granted.message);
        const respond = (signer: ActiveSigner): Promise<TokenResponse> => {
          const claims = accessTokenClaims({
            issuer,
            client,
            versionId: version.id,
            scope: granted.scope,
            jti: nextTokenId(),
            now,
            ttlSeconds: runtime.tokenTtlSeconds,
          });
          reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
          return signing.sign(signer, claims).then((accessToken) => {
            const body: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: runtime.tokenTtlSeconds };
            if (granted.scope !== '') body.scope = granted.scope;
            return body;
          });
        };
        const signer = runtime.keys.signer();
        return signer instanceof Promise ? signer.then(respond) : respond(signer);
      };
      // A cached client and a loaded key reach the signing batch without touching the store (SPEC §9).
      const authenticated = authenticateOAuthClient(deps, request.headers.authorization, params, contextOf(request), now);
      return authenticated instanceof Promise ? authenticated.then(issue) : issue(authenticated);
    },
  );

  /** Introspection and revocation both authenticate the client and name one token (RFC 7662, RFC 7009). */
  const tokenRequest = async (request: FastifyRequest) => {
    const params = parseOAuthForm(request.body);
    const now = core.clock.now();
    const { client } = await authenticateOAuthClient(deps, request.headers.authorization, params, contextOf(request), now);
    const token = params.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'The token parameter is required.');
    return { params, now, client, token };
  };

  app.post(
    '/oauth/introspect',
    {
      schema: {
        tags: ['oauth'],
        summary: "Token introspection (RFC 7662): only the calling client's own tokens are ever active",
        consumes: ['application/x-www-form-urlencoded'],
        security: CLIENT_AUTH,
      },
      // Issuing and introspecting change nothing: like whoami, their access-log line is debug.
      config: { ...form, accessLog: 'debug', responses: ok(ref('Introspection')) },
      errorHandler,
    },
    async (request, reply) => {
      const { now, client, token } = await tokenRequest(request);
      const inspected = await inspectAccessToken(core, runtime, token, { now, owner: client.id });
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      if (!inspected.ok) {
        if (inspected.code === 'unavailable') throw new OAuthError('temporarily_unavailable', inspected.message);
        return reply.send({ active: false });
      }
      const { claims } = inspected;
      const body: Record<string, unknown> = {
        active: true,
        client_id: claims.client_id,
        token_type: 'Bearer',
        exp: claims.exp,
        iat: claims.iat,
        sub: claims.sub,
        aud: claims.aud,
        iss: claims.iss,
        jti: claims.jti,
        rk_ver: claims.rk_ver,
      };
      if (claims.scope !== '') body.scope = claims.scope;
      return reply.send(body);
    },
  );

  app.post(
    '/oauth/revoke',
    {
      schema: {
        tags: ['oauth'],
        summary: "Token revocation (RFC 7009): 200 whatever the token; only the calling client's own tokens are revoked",
        description:
          'A revoked token introspects inactive and fails /v1/whoami and /v1/verify on every node within a second. ' +
          'Resource servers that verify access tokens offline against the JWKS cannot see revocations (nor a regenerate with ' +
          'revokeIssuedTokens, nor a delete): for them a token is good until its exp, at most REKEY_ACCESS_TOKEN_TTL_SECONDS ' +
          '(600 s by default). Use introspection or /v1/verify where revocation must take effect at once.',
        consumes: ['application/x-www-form-urlencoded'],
        security: CLIENT_AUTH,
      },
      config: { ...form, responses: { 200: { description: 'Revoked, or nothing to revoke: the body is empty.' } } },
      errorHandler,
    },
    async (request, reply) => {
      const { params, now, client, token } = await tokenRequest(request);
      const hint = params.get('token_type_hint');
      if (hint !== undefined && !TOKEN_TYPE_HINTS.includes(hint)) {
        throw new OAuthError(
          'unsupported_token_type',
          'token_type_hint must be access_token or refresh_token; this server issues access tokens only.',
        );
      }
      const inspected = await inspectAccessToken(core, runtime, token, { now, owner: client.id });
      if (inspected.ok) await revokeAccessToken(core, inspected.entry.client, inspected.claims);
      else if (inspected.code === 'unavailable') throw new OAuthError('temporarily_unavailable', inspected.message);
      return reply.header('cache-control', 'no-store').code(200).send();
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: { tags: ['oauth'], summary: 'Public keys that verify Rekey access tokens (next, active and still-needed retired keys)' },
      config: { auth: 'none', responses: ok(ref('Jwks')) },
    },
    async (_request, reply) => {
      const keys = await runtime.keys.jwks();
      return reply.header('cache-control', 'public, max-age=300').send({ keys });
    },
  );

  app.get(
    '/.well-known/oauth-authorization-server',
    {
      schema: { tags: ['oauth'], summary: 'Authorization server metadata (RFC 8414)' },
      config: { auth: 'none', responses: ok(ref('AuthorizationServerMetadata')) },
    },
    async (_request, reply) => {
      return reply.header('cache-control', 'public, max-age=300').send({
        issuer,
        token_endpoint: `${issuer}/oauth/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        introspection_endpoint: `${issuer}/oauth/introspect`,
        revocation_endpoint: `${issuer}/oauth/revoke`,
        grant_types_supported: ['client_credentials'],
        response_types_supported: [],
        token_endpoint_auth_methods_supported: AUTH_METHODS,
        introspection_endpoint_auth_methods_supported: AUTH_METHODS,
        revocation_endpoint_auth_methods_supported: AUTH_METHODS,
        service_documentation: `${issuer}/docs`,
      });
    },
  );
}
