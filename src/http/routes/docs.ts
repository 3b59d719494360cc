import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES } from '../../core/audit/index.js';
import { ERROR_CODES, RekeyError, type ErrorCode } from '../../core/kernel/index.js';
import { ERROR_CATALOGUE } from '../errors.js';
import { REFERENCE_HEADERS, createReferenceAssets } from '../reference-page.js';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Rekey</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}code{background:#f2f4f7;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde1e6;padding:.4rem;text-align:left;vertical-align:top}
.m{font-weight:600;text-transform:uppercase;font-size:12px}</style></head><body>${body}</body></html>`;
}

/** The error catalogue, event list and API reference (rendered by Redoc), served by Rekey itself. */
export function registerDocsRoutes(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, async () => app.swagger());

  app.get('/problems', { schema: { hide: true }, config: { auth: 'none' } }, async (_request, reply) => {
    const rows = ERROR_CODES.map(
      (code) =>
        `<tr><td><a href="/problems/${code}"><code>${code}</code></a></td><td>${ERROR_CATALOGUE[code].status}</td><td>${escape(ERROR_CATALOGUE[code].description)}</td></tr>`,
    ).join('');
    const events = Object.entries(EVENT_TYPES)
      .map(([type, text]) => `<tr><td><code>${type}</code></td><td>${escape(text)}</td></tr>`)
      .join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Errors and events',
          `<h1>Error codes</h1><p>Every error is <code>application/problem+json</code> with <code>type</code> = <code>/problems/&lt;code&gt;</code>.</p><table><tr><th>code</th><th>status</th><th>meaning</th></tr>${rows}</table><h1 id="events">Audit and webhook events</h1><table><tr><th>type</th><th>meaning</th></tr>${events}</table>`,
        ),
      );
  });

  app.get<{ Params: { code: string } }>('/problems/:code', { schema: { hide: true }, config: { auth: 'none' } }, async (request, reply) => {
    const code = request.params.code as ErrorCode;
    if (!(ERROR_CODES as readonly string[]).includes(code))
      throw new RekeyError('not_found', 'No such problem type.', { resourceType: 'problem', resourceId: request.params.code });
    const entry = ERROR_CATALOGUE[code];
    if ((request.headers.accept ?? '').includes('application/json'))
      return { code, status: entry.status, title: entry.title, description: entry.description };
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          entry.title,
          `<p><a href="/problems">All error codes</a></p><h1>${escape(entry.title)}</h1><p><code>${code}</code> · HTTP ${entry.status}</p><p>${escape(entry.description)}</p>`,
        ),
      );
  });

  const reference = createReferenceAssets();
  app.get('/docs', { schema: { hide: true }, config: { auth: 'none' } }, async (_request, reply) => {
    const spec = app.swagger() as { paths?: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
    const rows: string[] = [];
    for (const [path, methods] of Object.entries(spec.paths ?? {})) {
      for (const [method, operation] of Object.entries(methods)) {
        rows.push(
          `<tr><td class="m">${escape(method)}</td><td><code>${escape(path)}</code></td><td>${escape(operation.summary ?? '')}</td><td>${escape((operation.tags ?? []).join(', '))}</td></tr>`,
        );
      }
    }
    // Redoc renders /openapi.json in full; without JavaScript the page still lists every operation.
    return reply
      .type('text/html; charset=utf-8')
      .headers(REFERENCE_HEADERS)
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API reference · Rekey</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><link rel="stylesheet" href="/docs/reference.css"></head>
<body><div id="reference"></div><noscript><main class="plain"><h1>Rekey API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors: <a href="/problems">/problems</a>.</p><table><tr><th>method</th><th>path</th><th>what</th><th>area</th></tr>${rows.join('')}</table></main></noscript>
<script src="/docs/${reference.bundleName}"></script><script src="/docs/reference.js"></script></body></html>`,
      );
  });
  for (const asset of reference.assets)
    app.get(`/docs/${asset.name}`, { schema: { hide: true }, config: { auth: 'none' } }, async (request, reply) => {
      reply.header('content-type', asset.contentType).header('cache-control', 'public, max-age=3600').header('etag', asset.etag);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body());
    });
}
