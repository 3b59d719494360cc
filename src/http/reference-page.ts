import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` copies Redoc's standalone bundle: dist/docs at the package root. */
export const REFERENCE_BUILD_DIR = fileURLToPath(new URL('../../dist/docs/', import.meta.url));
export const REDOC_BUNDLE = 'redoc.standalone.js';

/**
 * The Content-Security-Policy of /docs: Redoc runs from Rekey's own files and reads /openapi.json;
 * nothing loads from anywhere else. Redoc styles through styled-components (inline <style>
 * elements) and runs its search in a worker made from a blob: URL, so those two are allowed here —
 * the console keeps its stricter policy (serve-console.ts).
 */
export const REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const REFERENCE_HEADERS: Record<string, string> = {
  'content-security-policy': REFERENCE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Starts Redoc on the page (a file, not an inline script, so the CSP needs no 'unsafe-inline' for scripts). */
const START = `(function () {
  var root = document.getElementById('reference');
  if (typeof Redoc === 'undefined') {
    root.textContent = 'The API reference renderer is not installed here (npm run build copies it). The document is at /openapi.json.';
    return;
  }
  Redoc.init('/openapi.json', {
    expandResponses: '200,201',
    jsonSampleExpandLevel: 4,
    requiredPropsFirst: true,
    sortPropsAlphabetically: false,
    hideDownloadButton: false,
    theme: {
      colors: { primary: { main: '#2457c5' } },
      typography: {
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
        code: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' }
      }
    }
  }, root);
})();
`;

const STYLE = `body{margin:0}
.plain{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
.plain code{background:#f2f4f7;padding:0 .25em;border-radius:3px}
.plain table{border-collapse:collapse;width:100%}.plain td,.plain th{border-bottom:1px solid #dde1e6;padding:.4rem;text-align:left;vertical-align:top}
.plain .m{font-weight:600;text-transform:uppercase;font-size:12px}
`;

export interface ReferenceAsset {
  name: string;
  contentType: string;
  etag: string;
  body: () => Buffer;
}

/** The bundle: the built copy, or (in a checkout that was not built) the installed package's own file. */
function bundlePath(): string | null {
  const built = `${REFERENCE_BUILD_DIR}${REDOC_BUNDLE}`;
  if (existsSync(built)) return built;
  try {
    return createRequire(import.meta.url).resolve(`redoc/bundles/${REDOC_BUNDLE}`);
  } catch {
    return null;
  }
}

/**
 * The one thing the bundle would fetch from elsewhere: the logo next to its "API docs by Redocly"
 * credit. It becomes an empty image, so /docs loads nothing from another origin (the credit stays).
 */
const CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const NO_LOGO = 'data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27 width=%271%27 height=%271%27/%3E';

const etagOf = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

function fixed(name: string, contentType: string, text: string): ReferenceAsset {
  const body = Buffer.from(text);
  const etag = etagOf(body);
  return { name, contentType, etag, body: () => body };
}

/** The files /docs loads. The bundle (about 1 MB) is read on its first request only. */
export function createReferenceAssets(): { bundleName: string; assets: ReferenceAsset[] } {
  const path = bundlePath();
  let bundle: Buffer | undefined;
  let bundleEtag: string | undefined;
  const read = (): Buffer =>
    (bundle ??= Buffer.from(path ? readFileSync(path, 'utf8').replaceAll(CDN_LOGO, NO_LOGO) : '/* Redoc is not installed. */'));
  const assets: ReferenceAsset[] = [
    fixed('reference.js', 'text/javascript; charset=utf-8', START),
    fixed('reference.css', 'text/css; charset=utf-8', STYLE),
    {
      name: REDOC_BUNDLE,
      contentType: 'text/javascript; charset=utf-8',
      get etag() {
        return (bundleEtag ??= etagOf(read()));
      },
      body: read,
    },
  ];
  return { bundleName: REDOC_BUNDLE, assets };
}
