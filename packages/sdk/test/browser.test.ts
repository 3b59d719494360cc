import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient } from '@rekey/sdk';
import { startRekey, type Rekey } from '../../../test/support/harness.js';
import { preparePortalMembers, register } from '../../../test/support/portal.js';

/**
 * The SDK in Chromium (Debian's /usr/bin/chromium driven by playwright-core). The page and the
 * SDK's built files are served on Rekey's own origin — playwright answers the /__sdk/ paths from
 * disk, every other request goes to the real server — so the control API is called same-origin,
 * as the console does, without CORS. The modules load unbundled through an import map.
 */
const CHROMIUM = process.env.REKEY_CHROMIUM ?? '/usr/bin/chromium';
const sdkDir = fileURLToPath(new URL('../', import.meta.url));
const openapiFetch = join(dirname(createRequire(import.meta.url).resolve('openapi-fetch/package.json')), 'dist/index.mjs');
const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/http-signature.json', import.meta.url), 'utf8')) as {
  profile: Array<{ name: string; expected: { signatureInput: string; signature: string; contentDigest?: string } }>;
};

const PAGE = `<!doctype html>
<meta charset="utf-8"><title>@rekey/sdk</title>
<script type="importmap">{ "imports": { "@rekey/sdk": "/__sdk/dist/index.js", "openapi-fetch": "/__sdk/openapi-fetch.js" } }</script>
<script type="module">import * as scenarios from '/__sdk/scenarios.js'; window.scenarios = scenarios;</script>`;

function fileFor(path: string): string | undefined {
  if (path === '/__sdk/openapi-fetch.js') return openapiFetch;
  if (path === '/__sdk/scenarios.js') return join(sdkDir, 'test/browser/scenarios.js');
  if (path.startsWith('/__sdk/dist/')) {
    const file = normalize(join(sdkDir, path.slice('/__sdk/'.length)));
    return file.startsWith(join(sdkDir, 'dist')) ? file : undefined;
  }
  return undefined;
}

describe('@rekey/sdk in Chromium', () => {
  let rekey: Rekey;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const run = <T>(scenario: string, argument?: unknown): Promise<T> =>
    page.evaluate(
      ([name, arg]) =>
        (globalThis as unknown as { scenarios: Record<string, (a: unknown) => Promise<unknown>> }).scenarios[name as string]!(arg),
      [scenario, argument] as const,
    ) as Promise<T>;

  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    userDataDir = mkdtempSync(join(tmpdir(), 'rekey-sdk-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.route(`${rekey.url}/__sdk/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/__sdk/index.html') return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE });
      const file = fileFor(path);
      if (file === undefined) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(file) });
    });
    await page.goto(`${rekey.url}/__sdk/index.html`);
    await page.waitForFunction(() => 'scenarios' in globalThis, undefined, { timeout: 10_000 });
  });
  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await rekey?.close();
  });

  it('runs in a real browser, not in Node', async () => {
    const environment = await run<{ hasProcess: boolean; hasBuffer: boolean; userAgent: string; origin: string }>('environment');
    expect(environment).toMatchObject({ hasProcess: false, hasBuffer: false, origin: rekey.url });
    expect(environment.userAgent).toMatch(/Chrome\//);
  });

  it('signs requests exactly as the RFC 9421 profile vectors say', async () => {
    const signed = await run<Array<Record<string, string>>>('signVectors', vectors.profile);
    for (const [index, vector] of vectors.profile.entries()) {
      expect(signed[index], vector.name).toMatchObject({
        'signature-input': vector.expected.signatureInput,
        signature: vector.expected.signature,
        ...(vector.expected.contentDigest ? { 'content-digest': vector.expected.contentDigest } : {}),
      });
    }
  });

  it("signs requests Rekey accepts, and rotates an integrator's own secret", async () => {
    const integrator = await createControlClient({ url: rekey.url, adminToken: rekey.main.token }).createClient({
      profile: 'integrator',
      name: 'Browser integrator',
    });
    const result = await run<Record<string, { status: number; body?: Record<string, unknown> } & Record<string, unknown>>>(
      'signedRequests',
      { clientId: integrator.id, secret: integrator.secret },
    );
    expect(result.whoami).toMatchObject({ status: 200, body: { credentialType: 'http_signature', clientId: integrator.id } });
    expect(result.withBody).toMatchObject({ status: 200, body: { clientId: integrator.id } });
    expect(result.rotatedSecretPrefix).toBe('rk_sec_');
    expect(result.stale).toMatchObject({ status: 401, body: { code: 'stale_secret' } });
    expect(result.fresh).toMatchObject({ status: 200 });
    expect(result.refused).toMatchObject({
      isRekeyApiError: true,
      name: 'RekeyApiError',
      status: 401,
      code: 'stale_secret',
      requestId: expect.any(String),
    });
  });

  it('verifies a signed URL', async () => {
    await preparePortalMembers(rekey);
    expect((await register(rekey)).status).toBe(200);
    const signed = await rekey.request('POST', '/v1/signed-urls', {
      body: { url: 'https://files.acme.test/q3.pdf?download=1', method: 'GET', ttlSeconds: 600 },
    });
    const result = await run<Record<string, unknown>>('signedUrls', { adminToken: rekey.main.token, url: signed.json.url });
    expect(result).toEqual({
      valid: { valid: true, code: 'ok', accountId: 'acme1', expiresAt: signed.json.expiresAt },
      cached: { valid: true, code: 'ok', accountId: 'acme1', expiresAt: signed.json.expiresAt },
      tampered: { valid: false, code: 'bad_signature' },
      otherMethod: { valid: false, code: 'bad_signature' },
    });
  });

  it('calls the control API: create, regenerate (idempotent), read, verify, delete, typed errors', async () => {
    const result = await run<Record<string, unknown>>('controlApi', { adminToken: rekey.main.token });
    expect(result).toMatchObject({
      created: { profile: 'apikey', hasSecret: true },
      sameRegeneration: true,
      viewedVersions: 2,
      verdict: { valid: true, code: 'ok', credentialType: 'basic' },
      afterDelete: 'deleted',
      notFound: { isRekeyApiError: true, status: 404, code: 'not_found', title: expect.any(String), requestId: expect.any(String) },
      invalid: { isRekeyApiError: true, status: 400, code: 'invalid_request', errors: [expect.objectContaining({ pointer: '/name' })] },
    });
    expect(pageErrors).toEqual([]);
  });
});
