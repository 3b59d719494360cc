import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regenerateIntegratorSecret, signedFetch } from '@rekey/sdk';
import { runCli } from '../support/cli.js';
import { send, startRekey, type Rekey } from '../support/harness.js';
import { whoami } from '../support/key-accounts.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import {
  focusedText,
  goInApp,
  launchBrowser,
  openConsole,
  seriousAxeFindings,
  setPassword,
  signedIn,
  type AxeFinding,
  type ConsoleTab,
  type InPage,
} from './support/browser.js';

/**
 * Every screen of the console, on an account with realistic data: each is scanned with axe-core (no
 * serious or critical finding allowed) and, when REKEY_SCREENSHOTS names a folder (`npm run
 * screenshots`), photographed at 1280×800.
 */
const SCREENSHOTS = process.env.REKEY_SCREENSHOTS ? resolve(process.env.REKEY_SCREENSHOTS) : undefined;

interface Seeded {
  integrationId: string;
  billingKeyId: string;
  reportingKeyId: string;
  integratorId: string;
  oauthId: string;
  billingAppId: string;
  warehouseAppId: string;
}

async function seed(rekey: Rekey): Promise<Seeded> {
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await send(
      rekey.url,
      method,
      path,
      { ...(body !== undefined ? { body } : {}), ...(token ? { token } : {}) },
      rekey.main.token,
    );
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.json;
  };
  await api('POST', '/v1/roles', { name: 'Portal Admin', permissions: ['credentials.read', 'credentials.manage'] });
  await api('POST', '/v1/roles', { name: 'Auditor', permissions: ['audit.read'] });
  await api('POST', '/v1/members', { email: 'dana.ops@acme.test', roles: ['Portal Admin'] });
  await api('POST', '/v1/members', { email: 'sam.audit@acme.test', roles: ['Auditor'] });
  await api('POST', '/v1/register', {
    companyId: rekey.main.accountId,
    email: 'admin@acme.test',
    password: 'correct horse battery staple',
  });

  const integration = await api('POST', '/v1/clients', { profile: 'tba', name: 'NetSuite sync' });
  await api('POST', `/v1/clients/${integration.id}/tokens`, { memberId: rekey.main.memberId, role: 'Administrator' });
  const connector = await api('POST', '/v1/clients', { profile: 'tba', name: 'Warehouse connector' });
  const bundle = await api('POST', `/v1/clients/${connector.id}/bundles`, {});
  await api('POST', `/v1/bundles/${bundle.bundleId}/install`, {}, rekey.other.token);

  const billing = await api('POST', '/v1/clients', { profile: 'apikey', name: 'Billing service key' });
  const warehouse = await api('POST', '/v1/clients', { profile: 'apikey', name: 'Warehouse app key', lockScope: 'keyAccount' });
  const reporting = await api('POST', '/v1/clients', { profile: 'apikey', name: 'Reporting key' });
  for (let i = 0; i < 3; i++) await whoami(rekey.url, billing.id, billing.secret);
  for (let i = 0; i < 5; i++) await whoami(rekey.url, warehouse.id, reporting.secret);
  // Reporting: rotated once without grace (its old secret still shows up), then with a day of grace.
  await whoami(rekey.url, reporting.id, reporting.secret);
  await api('POST', `/v1/clients/${reporting.id}/regenerate`, { graceSeconds: 0 });
  await whoami(rekey.url, reporting.id, reporting.secret, { 'user-agent': 'report-runner/2.3', 'rekey-app-id': 'nightly-reports' });
  const second = await api('POST', `/v1/clients/${reporting.id}/regenerate`, { graceSeconds: 0 });
  await whoami(rekey.url, reporting.id, second.secret);
  await api('POST', `/v1/clients/${reporting.id}/regenerate`, { graceSeconds: 86_400 });

  const billingApp = await api('POST', '/v1/apps', { name: 'Billing service', config: { apiKeyId: billing.id } });
  await api('PUT', `/v1/apps/${billingApp.id}/secrets/billing`, { keyAccountId: billing.id, value: billing.secret });
  await api('POST', `/v1/apps/${billingApp.id}/deploy`, {});
  await api('PUT', `/v1/clients/${billing.id}/rotation-policy`, { everyDays: 90, mode: 'auto', warnDays: 7, graceSeconds: 86_400 });
  const warehouseApp = await api('POST', '/v1/apps', { name: 'Warehouse app', config: { apiKeyId: warehouse.id } });
  await api('PUT', `/v1/apps/${warehouseApp.id}/secrets/warehouse`, { keyAccountId: warehouse.id, value: warehouse.secret });

  const partner = await api('POST', '/v1/clients', {
    profile: 'oauth',
    name: 'Partner portal',
    email: 'it@partner.example',
    application: 'partner-portal',
  });
  await api('POST', '/v1/clients', { profile: 'oauth', name: 'Data export', application: 'export-job' });
  const integrator = await api('POST', '/v1/clients', {
    profile: 'integrator',
    name: 'Acme Partner',
    contactName: 'Riley Chen',
    email: 'riley@partner.example',
  });
  await signedFetch({ clientId: integrator.id, secret: integrator.secret }, `${rekey.url}/v1/whoami`);
  await regenerateIntegratorSecret(rekey.url, { clientId: integrator.id, secret: integrator.secret }, 3600);

  await api('POST', '/v1/webhooks', {
    url: 'http://127.0.0.1:9/rekey-events',
    events: ['secret.regenerated', 'client.locked', 'client.reset'],
  });
  await api('POST', '/v1/admin-tokens', {
    name: 'deploy scripts',
    permissions: ['credentials.read', 'credentials.manage'],
    expiresInSeconds: 90 * 86_400,
  });
  await api('POST', '/v1/admin-tokens', { name: 'resource server', permissions: ['credentials.verify'] });
  await api('POST', `/v1/accounts/${rekey.main.accountId}/sandboxes`, { name: 'Acme staging' });
  await rekey.runtime.flush();
  return {
    integrationId: integration.id,
    billingKeyId: billing.id,
    reportingKeyId: reporting.id,
    integratorId: integrator.id,
    oauthId: partner.id,
    billingAppId: billingApp.id,
    warehouseAppId: warehouseApp.id,
  };
}

/** Waits until the screen has finished loading what it shows. */
async function settled(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await expect.poll(() => page.getByText(/^(Loading|Checking what uses it)/).count(), { timeout: 5000 }).toBe(0);
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        const w = globalThis as unknown as InPage;
        w.requestAnimationFrame(() => w.requestAnimationFrame(done));
      }),
  );
}

describe('every console screen: axe-core and screenshots (Chromium)', () => {
  let rekey: Rekey;
  let empty: ServerProcess;
  let emptyDir: string;
  let browser: Browser;
  let data: Seeded;
  const tabs: ConsoleTab[] = [];
  const findings: Record<string, AxeFinding[]> = {};

  const check = async (page: Page, name: string): Promise<void> => {
    await settled(page);
    findings[name] = await seriousAxeFindings(page);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  };
  const go = async (page: Page, path: string, name: string): Promise<void> => {
    await goInApp(page, path);
    await check(page, name);
  };

  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    emptyDir = mkdtempSync(join(tmpdir(), 'rekey-first-run-'));
    [rekey, browser, empty] = await Promise.all([
      startRekey('sqlite', { env: { REKEY_WEBHOOK_ALLOW: '127.0.0.1' } }),
      launchBrowser(),
      startServerProcess({ REKEY_DATABASE_URL: join(emptyDir, 'rekey.db'), REKEY_LOG_LEVEL: 'warn' }, { cwd: emptyDir }),
    ]);
    await setPassword(rekey, rekey.main.token);
    data = await seed(rekey);
  }, 60_000);

  afterAll(async () => {
    for (const tab of tabs) expect(tab.problems, 'no CSP violation or page error').toEqual([]);
    await browser?.close();
    await empty?.stop();
    await rekey?.close();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('signed-out screens: sign in, a refused sign-in, register, first run (then the first sign-in after `rekey init`)', async () => {
    const signInTab = await openConsole(browser, rekey);
    tabs.push(signInTab);
    await check(signInTab.page, '01-sign-in');
    await signInTab.page.getByLabel('Account').fill(rekey.main.accountId);
    await signInTab.page.getByLabel('Email').fill('admin@acme.test');
    await signInTab.page.getByLabel('Password').fill('not the password');
    await signInTab.page.getByRole('button', { name: 'Sign in' }).click();
    await signInTab.page.getByText('The account, email or password is wrong').waitFor();
    await check(signInTab.page, '02-sign-in-refused');
    // Throttled (429): the page says when to try again, from Retry-After.
    await signInTab.page.getByLabel('Email').fill('nobody@acme.test');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6 && !statuses.includes(429); attempt++) {
      const [response] = await Promise.all([
        signInTab.page.waitForResponse((candidate) => candidate.url().endsWith('/v1/sessions')),
        signInTab.page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      statuses.push(response.status());
    }
    expect(statuses.at(-1)).toBe(429);
    await signInTab.page.getByText(/Try again in \d+ min/).waitFor();
    await check(signInTab.page, '02b-sign-in-throttled');
    await signInTab.page.goto('/register');
    await check(signInTab.page, '03-register');

    // The README's path: a new database shows how to create the first account, above the sign-in
    // form; once `rekey init` has run, that same form signs the new Administrator in.
    const firstRun = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await firstRun.newPage();
    await page.goto(`${empty.url}/`);
    await page.getByRole('heading', { name: 'Welcome to Rekey' }).waitFor();
    await check(page, '04-first-run');
    const passwordFile = join(emptyDir, 'admin-password');
    writeFileSync(passwordFile, 'first admin password', { mode: 0o600 });
    const init = await runCli(
      [
        'init',
        '--account',
        '1234567',
        '--name',
        'Acme',
        '--admin-email',
        'admin@example.com',
        '--admin-password-file',
        passwordFile,
        '--json',
      ],
      { REKEY_DATABASE_URL: join(emptyDir, 'rekey.db') },
    );
    expect(init.code, init.stderr).toBe(0);
    await page.getByLabel('Account').fill('1234567');
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill('first admin password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await firstRun.close();
  });

  it('every signed-in screen', async () => {
    const tab = await signedIn(browser, rekey, { accountId: rekey.main.accountId, email: 'admin@acme.test' });
    tabs.push(tab);
    const { page } = tab;
    await check(page, '05-overview');

    await go(page, '/integrations', '06-integrations');
    await go(page, `/clients/${data.integrationId}`, '07-integration-record');
    await page.getByRole('button', { name: 'Edit' }).click();
    await check(page, '08-integration-edit');
    await page.getByRole('button', { name: 'Reset Credentials' }).click();
    await page.getByRole('dialog').getByText('1 token keeps working').waitFor();
    await check(page, '09-reset-credentials-dialog');
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByLabel('Consumer Secret').waitFor();
    await check(page, '10-reset-credentials-done');

    await go(page, '/api-keys', '11-api-keys');
    await go(page, `/clients/${data.reportingKeyId}`, '12-key-account-in-grace');
    // Below the fold: verifications per version per hour, from GET /v1/clients/{id}/usage.
    await page.getByRole('img', { name: /Verifications per hour/ }).scrollIntoViewIfNeeded();
    await check(page, '12b-key-account-usage-chart');
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await go(page, `/clients/${data.billingKeyId}`, '13-key-account');
    await page.getByRole('button', { name: 'Change rotation policy' }).click();
    await page.getByRole('dialog', { name: 'Change scheduled rotation' }).waitFor();
    await check(page, '13b-rotation-policy-dialog');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Regenerate API Key Secret' }).click();
    await page.getByRole('dialog').locator('.app-name').first().waitFor();
    await page.getByRole('radio', { name: 'Keep it working for 1 day' }).check();
    await check(page, '14-regenerate-dialog');
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByLabel('API Key Secret').waitFor();
    await check(page, '15-api-key-credentials');
    await page.getByRole('button', { name: 'Rotate with apps' }).click();
    await check(page, '16-rotate-with-apps-dialog');
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('every app holds it').waitFor();
    await check(page, '17-rotate-with-apps-done');

    await go(page, '/api-credentials', '18-api-credentials');
    await page.getByLabel('Name').fill('Mobile backend');
    await page.getByLabel('Email').fill('mobile@acme.test');
    await page.getByLabel('Application').fill('mobile-api');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByLabel('Client Secret').waitFor();
    await check(page, '19-api-credentials-generated');
    await page.getByRole('button', { name: 'Renew' }).click();
    await check(page, '20-renew-dialog');
    await page.getByRole('button', { name: 'No' }).click();
    await go(page, `/clients/${data.oauthId}`, '21-client-application');

    await go(page, '/integrators', '22-integrators');
    await go(page, `/clients/${data.integratorId}`, '23-integrator-grace-timeline');

    await go(page, '/apps', '24-apps');
    await go(page, `/apps/${data.warehouseAppId}`, '25-app-details');
    await page.getByRole('tab', { name: 'Configuration' }).click();
    await page.getByRole('button', { name: 'Warehouse app key' }).click();
    await check(page, '26-app-secrets');

    await go(page, '/audit', '27-audit');
    await go(page, '/outbox', '28-outbox');
    await go(page, '/webhooks', '29-webhooks');
    await go(page, '/admin-tokens', '30-admin-tokens');
    await go(page, '/sessions', '31-sessions');
    await go(page, '/members', '32-members-and-roles');
    await go(page, '/sandboxes', '33-sandboxes');
    await page.getByRole('button', { name: `Refresh ${rekey.main.accountId}_SB1` }).click();
    await check(page, '34-sandbox-refresh-dialog');
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('table', { name: 'Client id mapping' }).waitFor();
    await check(page, '35-sandbox-refreshed');
    await go(page, '/nowhere', '36-not-found');

    const failing = Object.entries(findings).filter(([, list]) => list.length > 0);
    expect(failing, JSON.stringify(failing, null, 2)).toEqual([]);
    expect(Object.keys(findings).length).toBeGreaterThanOrEqual(37);
    // Nearly forty screens, each scanned: on a busy shared machine this walk alone can pass the default 30 s.
  }, 90_000);

  it('is keyboard-operable: sign-in by keys, focus trapped in a dialog and returned, tabs with arrow keys', async () => {
    const tab = await openConsole(browser, rekey);
    tabs.push(tab);
    const { page } = tab;
    await page.getByLabel('Account').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(rekey.main.accountId);
    await page.keyboard.press('Tab');
    await page.keyboard.type('admin@acme.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('correct horse battery staple');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The skip link comes first and lands in the main region.
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Skip to content');

    await goInApp(page, `/clients/${data.oauthId}`);
    const renew = page.getByRole('button', { name: 'Renew' });
    await renew.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    for (let step = 0; step < 8; step++) {
      await page.keyboard.press(step % 3 === 2 ? 'Shift+Tab' : 'Tab');
      expect(await page.evaluate(() => Boolean((globalThis as unknown as InPage).document.activeElement?.closest('dialog[open]')))).toBe(
        true,
      );
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focusedText(page)).toBe('Renew');

    await goInApp(page, `/apps/${data.billingAppId}`);
    await page.getByRole('tab', { name: 'Details' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('heading', { name: 'App Secrets' }).waitFor();
    expect(await focusedText(page)).toBe('Configuration');
  });
});
