import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import { encodedBody, loadConsoleBuild, type ConsoleAsset, type ConsoleBuild } from './console-assets.js';

/** Where `vite build` writes the console: dist/web at the package root (this file is three levels down in src/ and dist/ alike). */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only. No inline script or
 * style is ever needed (Vite emits files; React sets styles through the CSSOM), nothing may frame it,
 * and forms may post only here.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HTML_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** API, protocol and asset paths never fall back to the console page: they keep their JSON 404s. */
function isConsolePath(path: string): boolean {
  return !/^\/(?:v1|oauth|\.well-known|assets|problems)(?:\/|$)/.test(path);
}

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('text/html');
}

const NOT_BUILT = Buffer.from(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rekey</title></head>
<body><h1>The console is not built</h1><p>The API is up. Build the console with <code>npm run build</code> (<code>npm ci</code> does it too) and restart.</p></body></html>`);

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset, urlPath: string): FastifyReply {
  const isHtml = asset.contentType.startsWith('text/html');
  reply
    .header('content-type', asset.contentType)
    .header('x-content-type-options', 'nosniff')
    .header('etag', asset.etag)
    .header('vary', 'accept-encoding')
    // index.html names the current hashed bundles, so browsers revalidate it every time (a 304 when unchanged).
    .header('cache-control', asset.isImmutable ? 'public, max-age=31536000, immutable' : isHtml ? 'no-cache' : 'public, max-age=3600');
  if (isHtml) reply.headers(HTML_HEADERS);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  const { body, encoding } = encodedBody(asset, urlPath, request.headers['accept-encoding']);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(body);
}

/**
 * Serves the console's static build at `/`: hashed assets by path, and `index.html` for any other
 * GET a browser makes for a page (the console routes in the browser). Everything else — an unknown
 * `/v1/…` path, a request that does not accept HTML — goes on to the JSON 404. The build is read on
 * the first console request, so API-only use never touches it.
 */
export function registerConsoleAssets(app: FastifyInstance, options: { root?: string } = {}): void {
  const root = options.root ?? CONSOLE_BUILD_DIR;
  let build: ConsoleBuild | null | undefined;

  const serve = (request: FastifyRequest, reply: FastifyReply): FastifyReply | void => {
    const path = request.url.split('?')[0] ?? '/';
    build ??= loadConsoleBuild(root);
    const file = build?.files.get(path);
    if (file) return sendAsset(request, reply, file, path);
    if (!isConsolePath(path) || !wantsHtml(request)) return reply.callNotFound();
    if (!build)
      return reply
        .code(503)
        .headers(HTML_HEADERS)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    return sendAsset(request, reply, build.index, '/index.html');
  };

  const options_ = { schema: { hide: true }, config: { auth: 'none' as const } };
  app.get('/', options_, serve);
  app.get('/*', options_, serve);
}
