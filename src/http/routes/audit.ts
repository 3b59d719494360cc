import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES, listAuditEvents } from '../../core/audit/index.js';
import { invalid } from '../../core/kernel/index.js';
import { listOutbox } from '../../core/notify/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const AuditQuery = Type.Object(
  {
    type: Type.Optional(Type.Union(Object.keys(EVENT_TYPES).map((type) => Type.Literal(type)))),
    clientId: Type.Optional(Type.String({ maxLength: 100 })),
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    until: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9][0-9]|500)$' })),
  },
  { additionalProperties: false },
);

const OutboxQuery = Type.Object(
  {
    type: Type.Optional(Type.Union(Object.keys(EVENT_TYPES).map((type) => Type.Literal(type)))),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')])),
  },
  { additionalProperties: false },
);

function instant(value: string | undefined, pointer: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(pointer, 'Must be an ISO 8601 date-time.');
  return ms;
}

export function registerAuditRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/v1/audit',
    {
      schema: { tags: ['audit'], summary: 'Audit events, newest first', querystring: AuditQuery, security: [{ adminToken: [] }] },
      config: {
        auth: 'control',
        permission: 'audit.read',
        responses: ok(
          Type.Object(
            {
              items: Type.Array(ref('AuditEvent')),
              nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page.' })),
            },
            { additionalProperties: false },
          ),
        ),
      },
    },
    async (request) => {
      const query = request.query;
      const since = instant(query.since, '/since');
      const until = instant(query.until, '/until');
      const page = await listAuditEvents(core, callerOf(request), {
        ...(query.type ? { type: query.type } : {}),
        ...(query.clientId ? { clientId: query.clientId } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit ? Number(query.limit) : 100,
      });
      const items = page.items.map((event) => ({
        id: event.id,
        at: new Date(event.at).toISOString(),
        type: event.type,
        actor: event.actor,
        ...(event.clientId ? { clientId: event.clientId } : {}),
        ...(event.versionId ? { versionId: event.versionId } : {}),
        ...(event.code ? { code: event.code } : {}),
        count: event.count,
        data: event.data,
      }));
      return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
    },
  );

  app.get<{ Querystring: Static<typeof OutboxQuery> }>(
    '/v1/outbox',
    {
      schema: { tags: ['outbox'], summary: 'Queued and delivered notifications', querystring: OutboxQuery, security: [{ adminToken: [] }] },
      config: { auth: 'control', permission: 'accounts.manage', responses: ok(listOf('OutboxMessage')) },
    },
    async (request) => {
      const messages = await listOutbox(core, callerOf(request), { ...request.query, limit: 200 });
      return {
        items: messages.map((message) => ({
          id: message.id,
          type: message.type,
          channel: message.channel,
          status: message.status,
          attempts: message.attempts,
          createdAt: new Date(message.createdAt).toISOString(),
          recipient: message.recipient,
          ...(message.sentAt ? { sentAt: new Date(message.sentAt).toISOString() } : {}),
          ...(message.lastError ? { lastError: message.lastError } : {}),
        })),
      };
    },
  );
}
