import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { EVENT_TYPES, exportAuditEvents, listAuditEvents, verifyAuditChain, type ExportedAuditEvent } from '../../core/audit/index.js';
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
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('ndjson')], {
        description: '`ndjson` streams the whole log, one event per line with every field and its chain link (`seq`, `hash`), for a SIEM.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** One NDJSON line: the stored event, times as ISO 8601, and its chain link. */
function exportLine(event: ExportedAuditEvent): string {
  return `${JSON.stringify({ ...event, at: new Date(event.at).toISOString() })}\n`;
}

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
        responses: {
          200: {
            ...ok(
              Type.Object(
                {
                  items: Type.Array(ref('AuditEvent')),
                  nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page.' })),
                },
                { additionalProperties: false },
              ),
            )[200]!,
            alternatives: {
              'application/x-ndjson': {
                schema: {
                  ...ref('ExportedAuditEvent'),
                  description: 'With `format=ndjson`: one event per line, in chain order, then the events not chained yet.',
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const query = request.query;
      if (query.format === 'ndjson') {
        const filtered = (['type', 'clientId', 'since', 'until', 'cursor', 'limit'] as const).find((name) => query[name] !== undefined);
        if (filtered) throw invalid(`/${filtered}`, 'format=ndjson exports the whole log; it takes no filter or page parameters.');
        const events = exportAuditEvents(core, callerOf(request));
        // The permission is checked before the first byte is sent, so a refusal is still a problem document.
        const first = await events.next();
        const lines = async function* (): AsyncGenerator<string> {
          if (!first.done) yield exportLine(first.value);
          for await (const event of events) yield exportLine(event);
        };
        return reply.type('application/x-ndjson').header('cache-control', 'no-store').send(Readable.from(lines()));
      }
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

  app.get(
    '/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Recompute the account's audit hash chain",
        description:
          'Recomputes every link of the chain (SPEC §12). `valid: false` names the first event whose hash or position does not follow from the one before it (`reason` `hash` or `gap`), or says that events at the end are missing (`head`). `pending` counts aggregated events of the last minutes, not chained yet.',
        security: [{ adminToken: [] }],
      },
      config: {
        auth: 'control',
        permission: 'audit.read',
        responses: ok(ref('AuditVerification'), { valid: true, events: 1284, pending: 2 }),
      },
    },
    async (request) => verifyAuditChain(core, callerOf(request)),
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
