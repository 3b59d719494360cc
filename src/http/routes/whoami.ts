import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthOutcome, Identity } from '../../core/auth/index.js';
import ipaddr from 'ipaddr.js';
import { requirePermission } from '../../core/accounts/index.js';
import { RekeyError } from '../../core/kernel/index.js';
import type { AppDeps } from '../app-deps.js';
import { authenticateRequest, DATA_PLANE_CHALLENGE } from '../authenticate-request.js';
import { dataPlaneRequestOf } from '../data-plane-request.js';
import { createPerCallerLimit } from '../per-caller-limit.js';
import { addressOf, callerOf } from '../request-context.js';
import { takePrecomputed } from '../whoami-fast-path.js';
import { ok } from '../openapi.js';
import { IDENTITY_EXAMPLE, VERIFY_EXAMPLE } from '../response-examples.js';
import { ref } from '../response-schemas.js';

/** The identity whoami answers (SPEC §5); also compiles the 200 serializer for the hot path. */
const IdentitySchema = Type.Object({
  credentialType: Type.Union([Type.Literal('basic'), Type.Literal('http_signature'), Type.Literal('oauth1'), Type.Literal('jwt')]),
  accountId: Type.String(),
  clientId: Type.String(),
  profile: Type.String(),
  versionId: Type.String(),
  memberId: Type.Optional(Type.String({ description: 'OAuth 1.0a tokens: the member the token acts for.' })),
  role: Type.Optional(Type.String({ description: 'OAuth 1.0a tokens: the role the token carries.' })),
  scope: Type.Optional(Type.String({ description: 'Bearer access tokens: the granted scope.' })),
});

const VerifyBody = Type.Object(
  {
    method: Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z]+$' }),
    url: Type.String({ minLength: 1, maxLength: 8192 }),
    headers: Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 65_536 }), { maxProperties: 200 }),
    body: Type.Optional(Type.String({ maxLength: 1_400_000, pattern: '^[A-Za-z0-9+/]*={0,2}$', contentEncoding: 'base64' })),
    sourceAddress: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "The end client's IP address as the resource server saw it: lockout and throttles then count against it, not against the resource server. Needs the credentials.verify.forwarded permission; rate-limited per caller.",
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * An IPv4 address in dotted-quad form or an IPv6 address without a zone, in canonical form (an
 * IPv4-mapped IPv6 address, as Node often reports IPv4 peers, becomes its IPv4 address); null otherwise.
 */
function forwardedAddressOf(value: string): string | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value).toString();
  if (!value.includes('%') && ipaddr.IPv6.isValid(value)) return ipaddr.process(value).toString();
  return null;
}

export function registerWhoamiRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { config } = deps;
  const forwardedLimit = createPerCallerLimit(config.verifyForwardedPerMinute, () => deps.core.clock.now());
  const answer = (outcome: AuthOutcome): Identity => {
    if (!outcome.ok) {
      const error = outcome.error;
      if (error.code !== 'invalid_request' && error.code !== 'unavailable') error.fields.challenge ??= DATA_PLANE_CHALLENGE;
      throw error;
    }
    return outcome.identity;
  };
  // Not async: a credential served from memory is answered without a promise (SPEC §9).
  const whoami = (request: FastifyRequest): Identity | Promise<Identity> => {
    const precomputed = takePrecomputed(request.raw);
    if (precomputed !== undefined && 'thrown' in precomputed) throw precomputed.thrown;
    const outcome = precomputed?.outcome ?? authenticateRequest(deps, dataPlaneRequestOf(request, config.publicUrl));
    return outcome instanceof Promise ? outcome.then(answer) : answer(outcome);
  };
  const schema = {
    tags: ['data plane'],
    summary: 'Authenticate the caller with any supported method and return its identity',
    security: [{ basic: [] }, { httpSignature: [] }, { oauth1: [] }, { accessToken: [] }] as Array<Record<string, string[]>>,
    response: { 200: IdentitySchema },
  };
  const responses = ok(ref('Identity'), IDENTITY_EXAMPLE, 'The identity of the credential.');
  app.get('/v1/whoami', { schema, config: { auth: 'none', scope: 'whoami', responses } }, whoami);
  app.post('/v1/whoami', { schema, config: { auth: 'none', accepts: 'any', scope: 'whoami', accessLog: 'debug', responses } }, whoami);

  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/v1/verify',
    {
      schema: {
        tags: ['data plane'],
        summary: 'Verify a request a resource server received (consumes nonces, counts failures)',
        body: VerifyBody,
        security: [{ adminToken: [] }],
      },
      config: {
        auth: 'control',
        permission: 'credentials.verify',
        responses: ok(
          ref('VerifyResult'),
          VERIFY_EXAMPLE,
          'The verdict: `valid: true` with the identity, or `valid: false` with the code.',
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      let address = addressOf(request);
      const { sourceAddress } = request.body;
      if (sourceAddress !== undefined) {
        await requirePermission(deps.core, caller, 'credentials.verify.forwarded', 'verify with a forwarded sourceAddress');
        const forwarded = forwardedAddressOf(sourceAddress);
        if (forwarded === null)
          throw new RekeyError('invalid_request', 'sourceAddress must be an IPv4 or IPv6 address.', {
            errors: [{ pointer: '/sourceAddress', message: 'Must be an IPv4 address (a.b.c.d) or an IPv6 address.' }],
          });
        const retryAfter = forwardedLimit.take(`${caller.actor.type}:${caller.actor.id}`);
        if (retryAfter !== null)
          throw new RekeyError(
            'rate_limited',
            `Too many verifications with a forwarded sourceAddress from this caller (at most ${config.verifyForwardedPerMinute} a minute); retry in ${retryAfter} s.`,
            { retryAfter },
          );
        address = forwarded;
      }
      let targetUri: string;
      try {
        const parsed = new URL(request.body.url);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
        targetUri = parsed.href;
      } catch {
        throw new RekeyError('invalid_request', 'url must be an absolute http(s) URL.', {
          errors: [{ pointer: '/url', message: 'Must be an absolute http(s) URL.' }],
        });
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.body.headers)) {
        const key = name.toLowerCase();
        headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
      }
      const outcome = await authenticateRequest(
        deps,
        {
          method: request.body.method.toUpperCase(),
          targetUri,
          headers,
          body: request.body.body !== undefined ? Buffer.from(request.body.body, 'base64') : undefined,
          address,
        },
        { accountId: caller.accountId },
      );
      if (!outcome.ok) {
        if (outcome.error.code === 'unavailable') throw outcome.error;
        return { valid: false, code: outcome.error.code, detail: outcome.error.message };
      }
      return { valid: true, code: 'ok', ...outcome.identity };
    },
  );
}
