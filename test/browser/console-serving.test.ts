import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_BUILD_DIR } from '../../src/http/console/serve-console.js';
import { runCli } from '../support/cli.js';
import { send, startRekey, type Rekey } from '../support/harness.js';
import { startServerProcess } from '../support/server-process.js';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** The JavaScript a first visit loads: the entry script and whatever index.html preloads. */
function firstLoadScripts(): string[] {
  const index = readFileSync(join(CONSOLE_BUILD_DIR, 'index.html'), 'utf8');
  return [...index.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((match) => match[1]!);
}

describe('the console is served by the API process', () => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('answers / and console paths with index.html for browsers, under a strict CSP and no-cache', async () => {
    for (const path of ['/', '/register', '/clients/cli_whatever', '/api-keys']) {
      const response = await send(rekey.url, 'GET', path, { token: null, headers: HTML });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.text).toContain('<div id="root">');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ])
        expect(csp).toContain(directive);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    // No inline script anywhere in the page.
    const index = await send(rekey.url, 'GET', '/', { token: null, headers: HTML });
    expect(index.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('keeps JSON 404s for the API and for requests that do not ask for HTML', async () => {
    for (const [path, headers] of [
      ['/v1/nothing', HTML],
      ['/oauth/nothing', HTML],
      ['/assets/missing.js', HTML],
      ['/clients/cli_x', { accept: 'application/json' }],
      ['/', {}],
    ] as const) {
      const response = await send(rekey.url, 'GET', path, { token: null, headers });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/problem+json');
      expect(response.json.code).toBe('not_found');
    }
    const whoami = await send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: HTML });
    expect(whoami.status).toBe(401);
    expect(whoami.headers.get('content-type')).toContain('application/problem+json');
    expect((await send(rekey.url, 'POST', '/register', { token: null, headers: HTML, body: {} })).status).toBe(404);
  });

  it('serves hashed assets for a year, compressed, and revalidates with an ETag', async () => {
    const [script] = firstLoadScripts();
    expect(script).toMatch(/^\/assets\/.+\.js$/);
    const plain = await fetch(`${rekey.url}${script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await plain.arrayBuffer());
    expect(body.equals(readFileSync(join(CONSOLE_BUILD_DIR, script!)))).toBe(true);

    const gzip = await fetch(`${rekey.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await gzip.arrayBuffer()).equals(body)).toBe(true);
    const brotli = await fetch(`${rekey.url}${script}`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(brotli.headers.get('content-encoding')).toBe('br');

    const etag = plain.headers.get('etag')!;
    const again = await fetch(`${rekey.url}${script}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const head = await fetch(`${rekey.url}/`, { method: 'HEAD', headers: HTML });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('loads at most 200 KB of JavaScript, gzipped, on a first visit', () => {
    const bytes = firstLoadScripts().reduce(
      (sum, path) => sum + gzipSync(readFileSync(join(CONSOLE_BUILD_DIR, path)), { level: 9 }).length,
      0,
    );
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(200 * 1024);
  });

  it('lists GET /v1/first-run in the OpenAPI document, false once an account exists', async () => {
    const answer = await send(rekey.url, 'GET', '/v1/first-run', { token: null });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ firstRun: false });
    const spec = await send(rekey.url, 'GET', '/openapi.json', { token: null });
    expect(spec.json.paths['/v1/first-run'].get).toBeDefined();
  });
});

describe('`rekey serve` on a new database', () => {
  it('serves the sign-in console at / and says first run until `rekey init` creates an account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-serve-'));
    const env = { REKEY_DATABASE_URL: join(dir, 'rekey.db'), REKEY_LOG_LEVEL: 'warn', REKEY_TEST_LIGHT_HASHING: '1' };
    const server = await startServerProcess(env, { cwd: dir });
    try {
      const page = await send(server.url, 'GET', '/', { token: null, headers: HTML });
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
      expect((await send(server.url, 'GET', '/v1/first-run', { token: null })).json).toEqual({ firstRun: true });
      const init = await runCli(
        ['init', '--account', '1234567', '--name', 'Acme', '--admin-email', 'admin@example.com', '--json'],
        { ...env },
        { timeoutMs: 20_000 },
      );
      expect(init.code, init.stderr).toBe(0);
      expect((await send(server.url, 'GET', '/v1/first-run', { token: null })).json).toEqual({ firstRun: false });
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
