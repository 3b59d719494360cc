import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from '../support/harness.js';
import { launchBrowser, type InPage } from './support/browser.js';

/** /docs renders the whole OpenAPI document with Redoc, from Rekey's own files, under its CSP. */
describe('the API reference at /docs (Chromium)', () => {
  let rekey: Rekey;
  let browser: Browser;
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await rekey?.close();
  });

  it('renders every operation with its fields and examples, with no console error and nothing fetched elsewhere', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: rekey.url });
    const errors: string[] = [];
    const elsewhere: string[] = [];
    await context.addInitScript(() => {
      const w = globalThis as unknown as InPage;
      w.document.addEventListener('securitypolicyviolation', (event) => {
        w.console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(rekey.url) && !request.url().startsWith('blob:') && !request.url().startsWith('data:'))
        elsewhere.push(request.url());
    });

    await page.goto('/docs');
    // Operation titles are the summaries; the regenerate operation shows its response fields and example.
    await page.getByRole('heading', { name: 'Regenerate the secret; the id stays' }).waitFor({ timeout: 60_000 });
    await expect(page.getByRole('heading', { name: 'Create a client; its secret is returned once' }).count()).resolves.toBe(1);
    const text = await page.evaluate(() => (globalThis as unknown as InPage).document.body.innerText);
    expect(text).toContain('oldSecretExpiresAt');
    expect(text).toContain('rk_sec_');
    expect(text).toContain('adminToken');
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
    await context.close();
  }, 120_000);

  it('serves the page, its script and the renderer itself, under a CSP that names only this origin', async () => {
    const html = await send(rekey.url, 'GET', '/docs', { token: null, headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    const csp = html.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/https?:/);
    expect(html.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html.text).toContain('/v1/clients/{id}/regenerate');
    for (const src of [...html.text.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!)) {
      const script = await send(rekey.url, 'GET', src, { token: null });
      expect(script.status, src).toBe(200);
      expect(script.headers.get('content-type'), src).toBe('text/javascript; charset=utf-8');
      const again = await send(rekey.url, 'GET', src, { token: null, headers: { 'if-none-match': script.headers.get('etag')! } });
      expect(again.status, src).toBe(304);
    }
  });
});
