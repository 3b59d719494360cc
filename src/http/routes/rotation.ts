import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listRotationRuns, setRotationPolicy } from '../../core/rotation/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { ok } from '../openapi.js';
import { CLIENT_EXAMPLE, ROTATION_RUN_PAGE_EXAMPLE } from '../response-examples.js';
import { ref } from '../response-schemas.js';
import { RotationPolicyBody } from '../response-schemas-rotation.js';

const IdParams = Type.Object({ id: Type.String() });
const RunsQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|1[0-9][0-9]|200)$', description: 'Page size, 1–200 (default 50).' })),
  },
  { additionalProperties: false },
);

/** Scheduled rotation (SPEC §12): a client's policy, and what the scheduler did about it. */
export function registerRotationRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof RotationPolicyBody> }>(
    '/v1/clients/:id/rotation-policy',
    {
      schema: {
        tags: ['clients'],
        summary: 'Set the scheduled rotation of a client',
        description:
          'The due date is everyDays after the current secret was issued, so a policy set on an older secret is due at once, and any regenerate starts the period again. Every node runs the scheduler each minute; each (client, due date) is acted on once. auto is for key accounts only; the portal key account refuses any policy.',
        params: IdParams,
        body: RotationPolicyBody,
        security: [{ adminToken: [] }],
      },
      config: {
        auth: 'control',
        permission: 'credentials.manage',
        responses: ok(ref('Client'), CLIENT_EXAMPLE, 'The client with its policy.'),
      },
    },
    async (request) => {
      const { everyDays, warnDays, graceSeconds, mode } = request.body;
      return setRotationPolicy(core, callerOf(request), request.params.id, {
        everyDays,
        mode,
        ...(warnDays !== undefined ? { warnDays } : {}),
        ...(graceSeconds !== undefined ? { graceSeconds } : {}),
      });
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id/rotation-policy',
    {
      schema: {
        tags: ['clients'],
        summary: 'Remove the scheduled rotation of a client',
        params: IdParams,
        security: [{ adminToken: [] }],
      },
      config: {
        auth: 'control',
        permission: 'credentials.manage',
        responses: ok(ref('Client'), undefined, 'The client, without a policy.'),
      },
    },
    async (request) => setRotationPolicy(core, callerOf(request), request.params.id, null),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof RunsQuery> }>(
    '/v1/clients/:id/rotations',
    {
      schema: {
        tags: ['clients'],
        summary: "The scheduler's runs for a client, newest first",
        params: IdParams,
        querystring: RunsQuery,
        security: [{ adminToken: [] }],
      },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(ref('RotationRunPage'), ROTATION_RUN_PAGE_EXAMPLE) },
    },
    async (request) =>
      listRotationRuns(core, callerOf(request), request.params.id, {
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        limit: request.query.limit ? Number(request.query.limit) : 50,
      }),
  );
}
