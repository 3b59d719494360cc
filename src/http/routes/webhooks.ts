import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WEBHOOK_EVENTS, checkWebhookUrl, createWebhook, deleteWebhook, listWebhooks } from '../../core/notify/index.js';
import { checkWebhookTarget, parseWebhookAllowList } from '../../mail/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { CREATED, NO_CONTENT, created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    events: Type.Optional(
      Type.Array(Type.Union(WEBHOOK_EVENTS.map((event) => Type.Literal(event))), {
        minItems: 1,
        maxItems: WEBHOOK_EVENTS.length,
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String() });

const tags = ['webhooks'];
const security = [{ adminToken: [] }];

/** Webhook endpoints (SPEC §10): signed with Standard Webhooks headers; the signing secret is shown once. */
export function registerWebhookRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;
  const allow = parseWebhookAllowList(deps.config.webhookAllow);

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/v1/webhooks',
    {
      schema: {
        response: CREATED,
        tags,
        summary: 'Register a webhook endpoint; its whsec_ signing secret is returned once',
        body: CreateBody,
        security,
      },
      config: { auth: 'control', permission: 'accounts.manage', responses: created(ref('CreatedWebhook')) },
    },
    async (request, reply) => {
      const url = checkWebhookUrl(request.body.url);
      await checkWebhookTarget(url, allow);
      const created = await createWebhook(core, callerOf(request), {
        url,
        ...(request.body.events ? { events: request.body.events } : {}),
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/v1/webhooks',
    {
      schema: { tags, summary: 'List webhook endpoints (never their secrets)', security },
      config: { auth: 'control', permission: 'accounts.manage', responses: ok(listOf('Webhook')) },
    },
    async (request) => listWebhooks(core, callerOf(request)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/webhooks/:id',
    {
      schema: { response: NO_CONTENT, tags, summary: 'Remove a webhook endpoint; messages queued for it fail', params: IdParams, security },
      config: { auth: 'control', permission: 'accounts.manage' },
    },
    async (request, reply) => {
      await deleteWebhook(core, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
