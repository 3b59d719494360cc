import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { RekeyError } from '../../core/kernel/index.js';
import { INTEGRATOR_MAX_GRACE_SECONDS, regenerateSecret } from '../../core/credentials/index.js';
import type { AppDeps } from '../app-deps.js';
import { authenticateRequest } from '../authenticate-request.js';
import { idempotencyKeyOf } from '../request-context.js';
import { dataPlaneRequestOf } from '../data-plane-request.js';
import { ok } from '../openapi.js';
import { INTEGRATOR_REGENERATE_EXAMPLE } from '../response-examples.js';

const CHALLENGE = 'Signature realm="integrator", scope="integrator.secret"';

const Regenerated = Type.Object(
  {
    secret: Type.String({ description: 'The new secret, returned this once.' }),
    oldSecretExpiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Only when oldSecretValidForSeconds > 0.' })),
  },
  { additionalProperties: false },
);

const Body = Type.Object(
  { oldSecretValidForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: INTEGRATOR_MAX_GRACE_SECONDS })) },
  { additionalProperties: false },
);

export function registerIntegratorRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core, config } = deps;
  app.post<{ Body: Static<typeof Body> }>(
    '/v1/integrator/regenerate-secret',
    {
      schema: {
        tags: ['integrator'],
        summary: "Regenerate the calling integrator's secret (signed with its current secret); returned once",
        body: Body,
        security: [{ httpSignature: [] }],
      },
      config: {
        auth: 'none',
        realm: 'integrator',
        scope: 'integrator.secret',
        problems: ['not_found'],
        responses: ok(Regenerated, INTEGRATOR_REGENERATE_EXAMPLE, 'The new secret; the old one works until oldSecretExpiresAt.'),
      },
      // The signature is checked first so an unauthenticated caller learns nothing about body rules.
      preValidation: async (request) => {
        const outcome = await authenticateRequest(deps, dataPlaneRequestOf(request, config.publicUrl), { only: 'http_signature' });
        if (!outcome.ok) {
          const error = outcome.error;
          if (error.code === 'unknown_client') {
            const keyId = /keyid="([^"]*)"/.exec(request.headers['signature-input']?.toString() ?? '')?.[1] ?? '';
            throw new RekeyError('not_found', 'No integrator has that keyid.', { resourceType: 'integrator', resourceId: keyId });
          }
          error.fields.challenge = CHALLENGE;
          throw error;
        }
        if (outcome.version.state !== 'current') {
          throw new RekeyError('stale_secret', 'Only the current secret may rotate the integration; sign with the newest secret.', {
            challenge: CHALLENGE,
          });
        }
        request.identityForRotation = outcome.identity;
      },
    },
    async (request, reply) => {
      const identity = request.identityForRotation!;
      const key = idempotencyKeyOf(request);
      const result = await withChallenge(() =>
        regenerateSecret(
          core,
          {
            accountId: identity.accountId,
            actor: { type: 'client', id: identity.clientId },
            selfService: true,
          },
          identity.clientId,
          {
            graceSeconds: request.body.oldSecretValidForSeconds ?? 0,
            signedWithVersionId: identity.versionId,
            ...(key ? { idempotencyKey: key } : {}),
          },
          { via: 'integrator' },
        ),
      );
      const response: { secret: string; oldSecretExpiresAt?: string } = { secret: result.secret };
      if (result.oldSecretExpiresAt) response.oldSecretExpiresAt = result.oldSecretExpiresAt;
      return reply.header('cache-control', 'no-store').send(response);
    },
  );
}

/** A rotation refused inside the transaction (a concurrent one won) answers like one refused up front. */
async function withChallenge<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RekeyError && error.code === 'stale_secret') error.fields.challenge = CHALLENGE;
    throw error;
  }
}
