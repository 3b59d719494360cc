import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** One file of the built console, held in memory: the whole build is a few hundred kilobytes. */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Vite writes content-hashed names under /assets/: those never change, so caches keep them for a year. */
  isImmutable: boolean;
  /** Compressed once, on the first request that accepts it. */
  encoded: Map<'br' | 'gzip', Buffer>;
}

export interface ConsoleBuild {
  /** URL path (`/assets/index-3f2a.js`) → file. */
  files: Map<string, ConsoleAsset>;
  index: ConsoleAsset;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.map']);

function listFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listFiles(path));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/**
 * Reads the console build (`dist/web`, written by `vite build`) into memory. Null when there is no
 * build, so the server still answers the API and explains the missing console instead of crashing.
 */
export function loadConsoleBuild(root: string): ConsoleBuild | null {
  if (!existsSync(join(root, 'index.html')) || !statSync(root).isDirectory()) return null;
  const files = new Map<string, ConsoleAsset>();
  for (const path of listFiles(root)) {
    const urlPath = `/${relative(root, path).split(sep).join('/')}`;
    // Source maps stay on disk for whoever debugs the build; they are not served.
    if (urlPath.endsWith('.map')) continue;
    const body = readFileSync(path);
    files.set(urlPath, {
      body,
      contentType: TYPES[extname(path)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      isImmutable: urlPath.startsWith('/assets/'),
      encoded: new Map(),
    });
  }
  const index = files.get('/index.html');
  return index ? { files, index } : null;
}

/** Codings the client accepts (RFC 9110 §12.5.3), leaving out those it refuses with q=0. */
function acceptedEncodings(header: string): Set<string> {
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...parameters] = part.split(';').map((item) => item.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  return accepted;
}

/** The body to send for `acceptEncoding`, compressing (and remembering) on first use. */
export function encodedBody(
  asset: ConsoleAsset,
  urlPath: string,
  acceptEncoding: string | undefined,
): { body: Buffer; encoding?: 'br' | 'gzip' } {
  if (!acceptEncoding || asset.body.length < 1024 || !COMPRESSIBLE.has(extname(urlPath))) return { body: asset.body };
  const accepted = acceptedEncodings(acceptEncoding);
  for (const encoding of ['br', 'gzip'] as const) {
    if (!accepted.has(encoding)) continue;
    let body = asset.encoded.get(encoding);
    if (!body) {
      body =
        encoding === 'br'
          ? brotliCompressSync(asset.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: asset.body.length } })
          : gzipSync(asset.body, { level: 9 });
      asset.encoded.set(encoding, body);
    }
    return { body, encoding };
  }
  return { body: asset.body };
}
