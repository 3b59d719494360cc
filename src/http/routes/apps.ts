import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  fetchAppCredentials,
  createApp,
  deleteApp,
  deleteAppSecret,
  deployApp,
  getApp,
  listApps,
  listAppsOfKeyAccount,
  putAppSecret,
  rotateAppToken,
  updateApp,
  rotateWithApps,
} from '../../core/apps/index.js';
import { RekeyError } from '../../core/kernel/index.js';
import { listStaleUsage, unlockKeyAccount } from '../../core/auth/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf, idempotencyKeyOf } from '../request-context.js';
import { CREATED, NO_CONTENT, created, ok } from '../openapi.js';
import { APP_EXAMPLE, CREATED_APP_EXAMPLE } from '../response-examples.js';
import { listOf, ref } from '../response-schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Id = Type.String({ minLength: 1, maxLength: 100 });
const Config = Type.Object(
  {
    apiKeyId: Type.Optional(
      Type.Union([Id, Type.Null()], { description: 'The key account the app authenticates with (its app.config api_key_id).' }),
    ),
  },
  { additionalProperties: false },
);
const CreateAppBody = Type.Object({ name: Name, config: Type.Optional(Config) }, { additionalProperties: false });
const UpdateAppBody = Type.Object(
  { name: Type.Optional(Name), config: Type.Optional(Config) },
  { additionalProperties: false, minProperties: 1 },
);
const SecretBody = Type.Object(
  {
    keyAccountId: Id,
    value: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'A working secret of the key account; stored encrypted, never returned to people.',
    }),
  },
  { additionalProperties: false },
);
const EmptyBody = Type.Object({}, { additionalProperties: false });
const RotateBody = Type.Object(
  {
    graceSeconds: Type.Optional(
      Type.Integer({ minimum: 0, description: 'How long the old secret keeps working (default 0, as in seed 002).' }),
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String() });
const SlotParams = Type.Object({ id: Type.String(), name: Type.String() });
const ListQuery = Type.Object(
  { keyAccountId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);

const adminToken = [{ adminToken: [] }];

/** Apps (SPEC §1, §5), key-account unlock, stale-secret usage and the guided rotation. */
export function registerAppRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;

  app.post<{ Body: Static<typeof CreateAppBody> }>(
    '/v1/apps',
    {
      schema: {
        response: CREATED,
        tags: ['apps'],
        summary: 'Create an app; its app token is returned once',
        body: CreateAppBody,
        security: adminToken,
      },
      config: {
        auth: 'control',
        permission: 'apps.manage',
        responses: created(ref('CreatedApp'), CREATED_APP_EXAMPLE, 'The app, with its token returned this once.'),
        problems: ['not_found'],
      },
    },
    async (request, reply) => {
      const created = await createApp(core, callerOf(request), {
        name: request.body.name,
        ...(request.body.config ? { config: request.body.config } : {}),
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/apps',
    {
      schema: {
        tags: ['apps'],
        summary: 'List apps, optionally only those using a key account',
        querystring: ListQuery,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'apps.manage', responses: ok(listOf('App')), problems: ['not_found'] },
    },
    async (request) => listApps(core, callerOf(request), request.query.keyAccountId ? { keyAccountId: request.query.keyAccountId } : {}),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/apps/:id',
    {
      schema: { tags: ['apps'], summary: 'Get an app (slot metadata, never values)', params: IdParams, security: adminToken },
      config: { auth: 'control', permission: 'apps.manage', responses: ok(ref('App'), APP_EXAMPLE) },
    },
    async (request) => getApp(core, callerOf(request), request.params.id),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateAppBody> }>(
    '/v1/apps/:id',
    {
      schema: {
        tags: ['apps'],
        summary: 'Rename an app or change its config.apiKeyId',
        params: IdParams,
        body: UpdateAppBody,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'apps.manage', responses: ok(ref('App')) },
    },
    async (request) => updateApp(core, callerOf(request), request.params.id, request.body),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/apps/:id',
    {
      schema: {
        response: NO_CONTENT,
        tags: ['apps'],
        summary: 'Delete an app, its secret slots and its token',
        params: IdParams,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'apps.manage' },
    },
    async (request, reply) => {
      await deleteApp(core, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  for (const [action, state] of [
    ['deploy', 'deployed'],
    ['undeploy', 'undeployed'],
  ] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
      `/v1/apps/:id/${action}`,
      {
        schema: {
          tags: ['apps'],
          summary:
            action === 'deploy'
              ? 'Deploy an app (refused while a slot holds a secret that no longer works)'
              : 'Undeploy an app: it stops receiving its secrets',
          params: IdParams,
          body: EmptyBody,
          security: adminToken,
        },
        config: { auth: 'control', permission: 'apps.manage', responses: ok(ref('App')) },
      },
      async (request) => deployApp(core, callerOf(request), request.params.id, state),
    );
  }

  app.put<{ Params: Static<typeof SlotParams>; Body: Static<typeof SecretBody> }>(
    '/v1/apps/:id/secrets/:name',
    {
      schema: {
        tags: ['apps'],
        summary: 'Write an app secret slot (encrypted; never returned to people)',
        params: SlotParams,
        body: SecretBody,
        security: adminToken,
      },
      config: {
        auth: 'control',
        permission: 'apps.manage',
        responses: ok(ref('App'), undefined, 'The app, with the slot metadata (never the value).'),
      },
    },
    async (request) => putAppSecret(core, callerOf(request), request.params.id, request.params.name, request.body),
  );

  app.delete<{ Params: Static<typeof SlotParams> }>(
    '/v1/apps/:id/secrets/:name',
    {
      schema: { response: NO_CONTENT, tags: ['apps'], summary: 'Remove an app secret slot', params: SlotParams, security: adminToken },
      config: { auth: 'control', permission: 'apps.manage' },
    },
    async (request, reply) => {
      await deleteAppSecret(core, callerOf(request), request.params.id, request.params.name);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/apps/:id/token',
    {
      schema: {
        response: CREATED,
        tags: ['apps'],
        summary: 'Issue a new app token (shown once); the old one stops working',
        params: IdParams,
        body: EmptyBody,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'apps.manage', responses: created(ref('AppToken')) },
    },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await rotateAppToken(core, callerOf(request), request.params.id)),
  );

  app.get(
    '/v1/app/credentials',
    {
      schema: {
        tags: ['apps'],
        summary: "The calling app's own secret slots with values (Authorization: Bearer rk_app_…)",
        security: [{ appToken: [] }],
      },
      config: { auth: 'none', realm: 'app', scope: 'app.credentials', responses: ok(ref('AppCredentials')), problems: ['conflict'] },
    },
    async (request, reply) => {
      const header = request.headers.authorization;
      if (!header) throw new RekeyError('unauthenticated', 'Send the app token as `Authorization: Bearer rk_app_…`.');
      const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
      if (!match) throw new RekeyError('unauthenticated', 'This endpoint takes `Authorization: Bearer <app token>`.');
      return reply.header('cache-control', 'no-store').send(await fetchAppCredentials(core, match[1]!));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id/apps',
    {
      schema: {
        tags: ['apps'],
        summary: 'Apps that use a key account (config.apiKeyId or a secret slot)',
        params: IdParams,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(listOf('App')) },
    },
    async (request) => listAppsOfKeyAccount(core, callerOf(request), request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/clients/:id/unlock',
    {
      schema: {
        tags: ['clients'],
        summary: 'Unlock a key account (every address, for lockScope "source")',
        params: IdParams,
        body: EmptyBody,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'credentials.manage', responses: ok(ref('Client'), undefined, 'The unlocked key account.') },
    },
    async (request) => unlockKeyAccount(core, callerOf(request), request.params.id),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id/stale-usage',
    {
      schema: {
        tags: ['clients'],
        summary: 'Who still uses a retired secret of a key account, most recent first',
        params: IdParams,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(listOf('StaleUsage')), problems: ['conflict'] },
    },
    async (request) => listStaleUsage(core, callerOf(request), request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateBody> }>(
    '/v1/clients/:id/rotate-with-apps',
    {
      schema: {
        tags: ['clients'],
        summary: 'Guided rotation: undeploy the apps → regenerate → write their slots → deploy (Idempotency-Key resumes)',
        params: IdParams,
        body: RotateBody,
        security: adminToken,
      },
      config: { auth: 'control', permission: 'credentials.manage', responses: ok(ref('RotateWithAppsResult')) },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const key = idempotencyKeyOf(request);
      const result = await rotateWithApps(core, caller, request.params.id, {
        graceSeconds: request.body.graceSeconds ?? 0,
        ...(key ? { idempotencyKey: key } : {}),
      });
      return reply.header('cache-control', 'no-store').send(result);
    },
  );
}
