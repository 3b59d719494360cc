import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { issueToken, listTokens, revokeAllTokens, revokeToken, resetConsumerCredentials } from '../../core/tba/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf, idempotencyKeyOf } from '../request-context.js';
import { registerBundleRoutes } from './bundles.js';
import { registerSessionRoutes } from './sessions.js';
import { CREATED, NO_CONTENT, created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const EmptyBody = Type.Object({}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });
const TokenParams = Type.Object({ id: Type.String(), tokenId: Type.String() });
const IssueTokenBody = Type.Object(
  {
    memberId: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);

/** Integration records (tba): reset and tokens; bundles and console sessions register from here too. */
export function registerTbaRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;
  const tags = ['integrations'];
  const security = [{ adminToken: [] }];

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/clients/:id/reset',
    {
      schema: {
        tags,
        summary: "Reset an integration's consumer key and secret; returned once; tokens keep working with the new pair",
        params: IdParams,
        body: EmptyBody,
        security,
      },
      config: { auth: 'control', permission: 'credentials.manage', responses: ok(ref('ConsumerCredentials')) },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request);
      const result = await resetConsumerCredentials(core, callerOf(request), request.params.id, key ? { idempotencyKey: key } : {});
      return reply.header('cache-control', 'no-store').send(result);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof IssueTokenBody> }>(
    '/v1/clients/:id/tokens',
    {
      schema: {
        response: CREATED,
        tags,
        summary: 'Issue a token for a member and a role they hold; the token secret is returned once',
        params: IdParams,
        body: IssueTokenBody,
        security,
      },
      config: { auth: 'control', permission: 'credentials.manage', responses: created(ref('IssuedToken')) },
    },
    async (request, reply) => {
      const issued = await issueToken(core, callerOf(request), request.params.id, request.body);
      return reply.code(201).header('cache-control', 'no-store').send(issued);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id/tokens',
    {
      schema: { tags, summary: "List an integration's active tokens (never a secret)", params: IdParams, security },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(listOf('TbaToken')), problems: ['not_tba'] },
    },
    async (request) => ({ items: await listTokens(core, callerOf(request), request.params.id) }),
  );

  app.delete<{ Params: Static<typeof TokenParams> }>(
    '/v1/clients/:id/tokens/:tokenId',
    {
      schema: { response: NO_CONTENT, tags, summary: 'Revoke one token', params: TokenParams, security },
      config: { auth: 'control', permission: 'credentials.manage' },
    },
    async (request, reply) => {
      await revokeToken(core, callerOf(request), request.params.id, request.params.tokenId);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/clients/:id/tokens/revoke-all',
    {
      schema: { tags, summary: 'Revoke every token of an integration', params: IdParams, body: EmptyBody, security },
      config: { auth: 'control', permission: 'credentials.manage', responses: ok(ref('Revoked')) },
    },
    async (request) => revokeAllTokens(core, callerOf(request), request.params.id),
  );

  registerBundleRoutes(app, deps);
  registerSessionRoutes(app, deps);
}
