import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { createSandbox, issueSandboxAdminToken, listSandboxes, refreshSandbox } from '../../core/portal/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { CREATED, created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const CreateBody = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false });
const EmptyBody = Type.Object({}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });

const tags = ['sandboxes'];
const security = [{ adminToken: [] }];

/** Sandboxes (SPEC §5, seed 001): created and refreshed from the parent account's side. */
export function registerSandboxRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CreateBody> }>(
    '/v1/accounts/:id/sandboxes',
    {
      schema: {
        response: CREATED,
        tags,
        summary: 'Create a sandbox <id>_SB<n> with copies of the members and roles; returns an admin token for your copy (once)',
        params: IdParams,
        body: CreateBody,
        security,
      },
      config: { auth: 'control', permission: 'accounts.manage', responses: created(ref('CreatedSandbox')) },
    },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await createSandbox(core, callerOf(request), request.params.id, request.body)),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/accounts/:id/sandboxes',
    {
      schema: { tags, summary: "List the account's sandboxes", params: IdParams, security },
      config: { auth: 'control', permission: 'accounts.manage', responses: ok(listOf('Sandbox')) },
    },
    async (request) => listSandboxes(core, callerOf(request), request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/accounts/:id/refresh',
    {
      schema: {
        tags,
        summary: 'Refresh a sandbox from its parent: clients replaced by copies under new ids (mapping returned), every access key deleted',
        params: IdParams,
        body: EmptyBody,
        security,
      },
      config: { auth: 'control', permission: 'accounts.manage', responses: ok(ref('RefreshResult')) },
    },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(await refreshSandbox(core, callerOf(request), request.params.id)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/accounts/:id/admin-tokens',
    {
      schema: {
        response: CREATED,
        tags,
        summary: "A new admin token for your own member in one of the account's sandboxes (shown once)",
        params: IdParams,
        body: EmptyBody,
        security,
      },
      config: { auth: 'control', permission: 'accounts.manage', responses: created(ref('SandboxAdminToken')) },
    },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await issueSandboxAdminToken(core, callerOf(request), request.params.id)),
  );
}
