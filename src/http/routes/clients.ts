import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  PROFILES,
  checkSettableFields,
  settableFieldSchemas,
  createClient,
  deleteClient,
  getClient,
  listClients,
  regenerateSecret,
  revokeSecretVersion,
} from '../../core/credentials/index.js';
import { MAX_USAGE_HOURS, listClientUsage } from '../../core/auth/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf, idempotencyKeyOf } from '../request-context.js';
import { CREATED, NO_CONTENT, created, ok } from '../openapi.js';
import { CLIENT_EXAMPLE, CLIENT_PAGE_EXAMPLE, CREATED_CLIENT_EXAMPLE, REGENERATE_EXAMPLE } from '../response-examples.js';
import { ref } from '../response-schemas.js';
import { RotationPolicyBody } from '../response-schemas-rotation.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });

/** Each profile's settable fields come from its descriptor; the body stays one flat object. */
const profileFields = Object.fromEntries(
  [...settableFieldSchemas()].map(([name, schema]) => [name, Type.Optional(Type.Unsafe<unknown>(schema))]),
);

export const CreateClientBody = Type.Object(
  {
    profile: Type.Union(PROFILES.map((profile) => Type.Literal(profile))),
    name: Name,
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 86_400 })),
    rotationPolicy: Type.Optional(RotationPolicyBody),
    ...profileFields,
  },
  { additionalProperties: false },
);

const RegenerateBody = Type.Object(
  {
    graceSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    revokeIssuedTokens: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const EmptyBody = Type.Object({}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });
const ListQuery = Type.Object(
  {
    profile: Type.Optional(Type.Union(PROFILES.map((profile) => Type.Literal(profile)))),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|1[0-9][0-9]|200)$', description: 'Page size, 1–200 (default 50).' })),
  },
  { additionalProperties: false },
);

// The validator does not coerce types, so a number in the query string is a pattern: 1–168.
const UsageQuery = Type.Object(
  {
    hours: Type.Optional(
      Type.String({
        pattern: '^(?:[1-9][0-9]?|1[0-5][0-9]|16[0-8])$',
        description: `Hours back, current included, 1–${MAX_USAGE_HOURS} (default 24).`,
      }),
    ),
  },
  { additionalProperties: false },
);
const UsageResponse = Type.Object(
  {
    buckets: Type.Array(
      Type.Object(
        {
          versionId: Type.String(),
          hour: Type.String({ format: 'date-time', description: 'The start of the hour (UTC).' }),
          count: Type.Integer({ minimum: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export function registerClientRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;

  app.post<{ Body: Static<typeof CreateClientBody> }>(
    '/v1/clients',
    {
      schema: {
        response: CREATED,
        tags: ['clients'],
        summary: 'Create a client; its secret is returned once',
        body: CreateClientBody,
        security: [{ adminToken: [] }],
      },
      config: {
        auth: 'control',
        permission: 'credentials.manage',
        responses: created(
          ref('CreatedClient'),
          CREATED_CLIENT_EXAMPLE,
          'The client, with its secret (tba: consumerKey and consumerSecret) returned this once.',
        ),
      },
    },
    async (request, reply) => {
      const { profile, name, expiresInSeconds, rotationPolicy, ...rest } = request.body;
      const fields = checkSettableFields(profile, rest);
      const created = await createClient(core, callerOf(request), {
        profile,
        name,
        fields,
        ...(expiresInSeconds ? { expiresInSeconds } : {}),
        ...(rotationPolicy ? { rotationPolicy } : {}),
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/clients',
    {
      schema: { tags: ['clients'], summary: 'List clients', querystring: ListQuery, security: [{ adminToken: [] }] },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(ref('ClientPage'), CLIENT_PAGE_EXAMPLE) },
    },
    async (request) =>
      listClients(core, callerOf(request), {
        ...(request.query.profile ? { profile: request.query.profile } : {}),
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        limit: request.query.limit ? Number(request.query.limit) : 50,
      }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id',
    {
      schema: { tags: ['clients'], summary: 'Get a client (never its secret)', params: IdParams, security: [{ adminToken: [] }] },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(ref('Client'), CLIENT_EXAMPLE) },
    },
    async (request) => getClient(core, callerOf(request), request.params.id),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof UsageQuery> }>(
    '/v1/clients/:id/usage',
    {
      schema: {
        tags: ['clients'],
        summary: 'Verifications per secret version per hour, by hour then version',
        params: IdParams,
        querystring: UsageQuery,
        response: { 200: UsageResponse },
        security: [{ adminToken: [] }],
      },
      config: { auth: 'control', permission: 'credentials.read' },
    },
    async (request) => listClientUsage(core, callerOf(request), request.params.id, { hours: Number(request.query.hours ?? 24) }),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RegenerateBody> }>(
    '/v1/clients/:id/regenerate',
    {
      schema: {
        tags: ['clients'],
        summary: 'Regenerate the secret; the id stays',
        params: IdParams,
        body: RegenerateBody,
        security: [{ adminToken: [] }],
      },
      config: { auth: 'control', permission: 'credentials.manage', responses: ok(ref('RegenerateResult'), REGENERATE_EXAMPLE) },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request);
      const result = await regenerateSecret(
        core,
        callerOf(request),
        request.params.id,
        {
          graceSeconds: request.body.graceSeconds ?? 0,
          ...(request.body.revokeIssuedTokens !== undefined ? { revokeIssuedTokens: request.body.revokeIssuedTokens } : {}),
          ...(key ? { idempotencyKey: key } : {}),
        },
        { via: 'control' },
      );
      return reply.header('cache-control', 'no-store').send(result);
    },
  );

  app.post<{ Params: Static<typeof IdParams> & { versionId: string }; Body: Static<typeof EmptyBody> }>(
    '/v1/clients/:id/versions/:versionId/revoke',
    {
      schema: {
        tags: ['clients'],
        summary: 'Revoke one secret version at once',
        params: Type.Object({ id: Type.String(), versionId: Type.String() }),
        body: EmptyBody,
        security: [{ adminToken: [] }],
      },
      config: { auth: 'control', permission: 'credentials.manage', responses: ok(ref('SecretVersion'), undefined, 'The revoked version.') },
    },
    async (request) => revokeSecretVersion(core, callerOf(request), request.params.id, request.params.versionId),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id',
    {
      schema: {
        response: NO_CONTENT,
        tags: ['clients'],
        summary: 'Delete a client: every version revoked, record kept',
        params: IdParams,
        security: [{ adminToken: [] }],
      },
      config: { auth: 'control', permission: 'credentials.manage' },
    },
    async (request, reply) => {
      await deleteClient(core, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
