import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader } from '../../src/protocols/oauth1.js';
import { regenerateIntegratorSecret, signedFetch } from '@rekey/sdk';
import { send, startRekey, type Rekey } from '../support/harness.js';
import { whoami } from '../support/key-accounts.js';
import {
  clipboard,
  launchBrowser,
  openConsole,
  revealed,
  setPassword,
  signedIn,
  signIn,
  type ConsoleTab,
  type InPage,
} from './support/browser.js';

/**
 * Each seed procedure walked end to end in a real browser, through the console only; what changed
 * is then checked through the API. SQLite is enough here: the store behaviours themselves are
 * tested on both stores elsewhere.
 */
describe('the console walks every seed (Chromium)', () => {
  let rekey: Rekey;
  let browser: Browser;
  const tabs: ConsoleTab[] = [];
  let main: { accountId: string; email: string };

  const open = async (path = '/'): Promise<ConsoleTab> => {
    const tab = await openConsole(browser, rekey, path);
    tabs.push(tab);
    return tab;
  };
  const asAdmin = async (path = '/'): Promise<ConsoleTab> => {
    const tab = await signedIn(browser, rekey, main, path);
    tabs.push(tab);
    return tab;
  };
  const nav = async (page: Page, name: string): Promise<void> => {
    await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
  };

  beforeAll(async () => {
    [rekey, browser] = await Promise.all([startRekey('sqlite'), launchBrowser()]);
    main = { accountId: rekey.main.accountId, email: 'admin@acme.test' };
    await setPassword(rekey, rekey.main.token);
    await setPassword(rekey, rekey.other.token);
  });

  afterAll(async () => {
    for (const tab of tabs) expect(tab.problems, 'no CSP violation or page error').toEqual([]);
    await browser?.close();
    await rekey?.close();
  });

  it('seed 000: Integrations → record → Edit → Reset Credentials → OK; tokens work with the new pair only; no Reset Credentials on a bundled record', async () => {
    const { page } = await asAdmin();
    await nav(page, 'Integrations');
    await page.getByLabel('Record name').fill('NetSuite sync');
    await page.getByRole('button', { name: 'Create record' }).click();
    const oldKey = await revealed(page, 'Consumer Key');
    const oldSecret = await revealed(page, 'Consumer Secret');

    // Select the record: it opens in view mode.
    await page.getByRole('link', { name: 'NetSuite sync' }).first().click();
    await page.getByRole('heading', { name: 'NetSuite sync', level: 1 }).waitFor();
    const clientId = page.url().split('/clients/')[1]!;
    await page.getByRole('button', { name: 'Issue token' }).click();
    const tokenId = await revealed(page, 'Token ID');
    const tokenSecret = await revealed(page, 'Token Secret');
    await page.getByRole('button', { name: 'Publish as bundle' }).click();
    const bundleId = (await page.locator('.bundle code').first().textContent())!.trim();

    const signedWhoami = (consumerKey: string, consumerSecret: string) =>
      send(rekey.url, 'GET', '/v1/whoami', {
        token: null,
        headers: {
          authorization: buildOAuthHeader({
            consumerKey,
            consumerSecret,
            token: tokenId,
            tokenSecret,
            method: 'GET',
            url: `${rekey.config.publicUrl}/v1/whoami`,
            realm: main.accountId,
          }),
        },
      });
    expect((await signedWhoami(oldKey, oldSecret)).status).toBe(200);

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Reset Credentials' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain(clientId);
    await dialog.getByText('1 token keeps working').waitFor();
    await page.getByRole('button', { name: 'OK' }).click();

    // Back in view mode, the new pair shown once.
    await page.getByRole('button', { name: 'Edit' }).waitFor();
    const newKey = await revealed(page, 'Consumer Key');
    const newSecret = await revealed(page, 'Consumer Secret');
    expect(newKey).not.toBe(oldKey);
    expect(newSecret).not.toBe(oldSecret);

    const oldPair = await signedWhoami(oldKey, oldSecret);
    expect(oldPair.status).toBe(401);
    const newPair = await signedWhoami(newKey, newSecret);
    expect(newPair.status).toBe(200);
    expect(newPair.json).toMatchObject({ clientId, memberId: rekey.main.memberId });
    expect((await rekey.request('GET', `/v1/clients/${clientId}`)).json.consumerKey).toBe(newKey);

    // Another account installs the bundle; its record offers no Reset Credentials.
    const other = await signedIn(browser, rekey, { accountId: rekey.other.accountId, email: 'admin@other.test' });
    tabs.push(other);
    await nav(other.page, 'Integrations');
    await other.page.getByLabel('Bundle ID').fill(bundleId);
    await other.page.getByRole('button', { name: 'Install bundle' }).click();
    await other.page.getByRole('heading', { name: 'NetSuite sync', level: 1 }).waitFor();
    const installedId = other.page.url().split('/clients/')[1]!;
    await other.page.getByRole('button', { name: 'Edit' }).click();
    await other.page.getByText(`installed through a bundle from account ${main.accountId}`).waitFor();
    expect(await other.page.getByRole('button', { name: 'Reset Credentials' }).count()).toBe(0);
    const refused = await send(rekey.url, 'POST', `/v1/clients/${installedId}/reset`, { token: rekey.other.token, body: {} });
    expect(refused.json.code).toBe('bundle_managed');
  });

  it('seed 001: /register signed out replaces the pair while sessions carry on; Sign out everyone ends them; a sandbox refresh shows its id mapping', async () => {
    const colleague = await asAdmin();
    await nav(colleague.page, 'API Keys');

    const { page } = await open('/register');
    await page.getByLabel('Company ID').fill(main.accountId);
    await page.getByLabel('Email').fill(main.email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByText(`Registration complete for ${main.accountId}`).waitFor();

    const portal = (await rekey.request('GET', '/v1/clients?profile=apikey')).json.items.find(
      (client: { registrationOnly?: boolean }) => client.registrationOnly,
    );
    expect(portal.versions[0].state).toBe('current');
    const firstVersion = portal.versions[0].versionId;
    // Registering again replaces the pair (the seed's refresh): a new current version, the old one retired.
    await page.getByRole('button', { name: 'Register' }).click();
    await expect
      .poll(async () =>
        (await rekey.request('GET', `/v1/clients/${portal.id}`)).json.versions.map((version: { state: string }) => version.state),
      )
      .toEqual(['current', 'retired']);
    expect((await rekey.request('GET', `/v1/clients/${portal.id}`)).json.versions[1].versionId).toBe(firstVersion);

    // The signed-in colleague carries on.
    await nav(colleague.page, 'Apps');
    await colleague.page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Sign out everyone' }).click();
    await expect(page.getByRole('dialog').textContent()).resolves.toContain(main.accountId);
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText(`Everyone in ${main.accountId} was signed out`).waitFor();

    await nav(colleague.page, 'API Keys').catch(() => undefined);
    await colleague.page.getByText('An administrator signed everyone out').waitFor();
    await colleague.page.getByRole('button', { name: 'Sign in' }).waitFor();

    // Sandbox: create, refresh with confirmation, read the mapping, switch into it.
    await signIn(colleague.page, main);
    await nav(colleague.page, 'Sandboxes');
    await colleague.page.getByRole('button', { name: 'Create sandbox' }).click();
    const sandboxId = `${main.accountId}_SB1`;
    await colleague.page.getByRole('cell', { name: sandboxId, exact: true }).waitFor();
    await colleague.page.getByRole('button', { name: `Refresh ${sandboxId}` }).click();
    await expect(colleague.page.getByRole('dialog').textContent()).resolves.toContain(sandboxId);
    await colleague.page.getByRole('button', { name: 'Yes' }).click();
    await colleague.page.getByRole('table', { name: 'Client id mapping' }).waitFor();
    const mapping = await colleague.page
      .locator('tr[data-parent-id]')
      .evaluateAll((rows) =>
        rows.map((row) => ({ parent: row.getAttribute('data-parent-id')!, sandbox: row.getAttribute('data-sandbox-id')! })),
      );
    expect(mapping.length).toBeGreaterThan(0);

    const sandboxToken = (await rekey.request('POST', `/v1/accounts/${sandboxId}/admin-tokens`, { body: {} })).json.adminToken;
    const sandboxClients = (await send(rekey.url, 'GET', '/v1/clients', { token: sandboxToken })).json.items as Array<{
      id: string;
      versions: unknown[];
    }>;
    expect(sandboxClients.map((client) => client.id).sort()).toEqual(mapping.map((row) => row.sandbox).sort());
    for (const row of mapping) expect(row.sandbox).not.toBe(row.parent);
    for (const client of sandboxClients) expect(client.versions).toEqual([]);

    await colleague.page.getByRole('button', { name: `Switch to ${sandboxId}` }).click();
    await colleague.page.getByLabel('Your password').fill('correct horse battery staple');
    await colleague.page.getByRole('button', { name: 'Switch', exact: true }).click();
    await colleague.page.getByText(`Sandbox of ${main.accountId}`).waitFor();
  });

  it('seed 002: a locked key account reads True; regenerate shows the app it affects; App Secrets → Secret Value → Update → Deploy; the app sees the new secret', async () => {
    const { page } = await asAdmin();
    await nav(page, 'API Keys');
    await page.getByLabel('Key account name').fill('Warehouse app key');
    await page.getByLabel('Lock the whole key account').check();
    await page.getByLabel('Failed attempts before locking').fill('5');
    await page.getByRole('button', { name: 'Create key account' }).click();
    const keyId = await revealed(page, 'API Key ID');
    const firstSecret = await revealed(page, 'API Key Secret');
    expect((await rekey.request('GET', `/v1/clients/${keyId}`)).json.lockScope).toBe('keyAccount');

    await nav(page, 'Apps');
    await page.getByLabel('App name').fill('Warehouse app');
    await page.getByLabel('Authenticates with (api_key_id)').selectOption({ label: 'Warehouse app key' });
    await page.getByRole('button', { name: 'Create app' }).click();
    const appToken = await revealed(page, 'App Token');
    await page.getByRole('link', { name: 'Warehouse app', exact: true }).click();
    await page.getByRole('tab', { name: 'Configuration' }).click();
    await page.getByRole('button', { name: 'Add a secret' }).click();
    await page.getByLabel('Slot name').fill('warehouse');
    await page.getByLabel('Key account').selectOption({ label: 'Warehouse app key' });
    await page.getByLabel('Its current secret').fill(firstSecret);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Added warehouse.').waitFor();
    await page.getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('button', { name: 'Undeploy' }).waitFor();
    const credentials = () => send(rekey.url, 'GET', '/v1/app/credentials', { token: appToken });
    expect(JSON.stringify((await credentials()).json)).toContain(firstSecret);

    // Five failed logins with a well-formed secret of another key account lock it (lockScope keyAccount).
    const stranger = (await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Stranger' } })).json.secret;
    for (let attempt = 0; attempt < 5; attempt++) expect((await whoami(rekey.url, keyId, stranger)).status).toBe(401);
    expect((await whoami(rekey.url, keyId, firstSecret)).json.code).toBe('locked');

    await nav(page, 'API Keys');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Warehouse app key' }) });
    const lockedColumn = await page.getByRole('columnheader').allTextContents();
    expect(
      await row
        .getByRole('cell')
        .nth(lockedColumn.findIndex((text) => text.trim().toLowerCase() === 'locked'))
        .textContent(),
    ).toBe('True');

    // The seed's order: undeploy the app, regenerate, update its secret, deploy.
    await nav(page, 'Apps');
    await page.getByRole('link', { name: 'Warehouse app', exact: true }).click();
    await page.getByRole('button', { name: 'Undeploy' }).click();
    await page.getByRole('button', { name: 'Deploy' }).waitFor();

    await nav(page, 'API Keys');
    await page.getByRole('link', { name: 'Warehouse app key' }).click();
    await page.getByRole('heading', { name: 'API Key Details' }).waitFor();
    await page.getByRole('button', { name: 'Regenerate API Key Secret' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('.app-name', { hasText: 'Warehouse app' }).waitFor();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('heading', { name: 'API Key Credentials' }).waitFor();
    expect(await revealed(page, 'API Key ID')).toBe(keyId);
    const newSecret = await revealed(page, 'API Key Secret');
    expect(newSecret).not.toBe(firstSecret);
    await page.getByRole('button', { name: 'Copy to Clipboard' }).click();
    const copied = await clipboard(page);
    expect(copied).toContain(keyId);
    expect(copied).toContain(newSecret);
    const pasted = /API Key Secret: (\S+)/.exec(copied)![1]!;

    await nav(page, 'Apps');
    await page.getByRole('link', { name: 'Warehouse app', exact: true }).click();
    await page.getByRole('tab', { name: 'Configuration' }).click();
    await page.getByRole('heading', { name: 'App Secrets' }).waitFor();
    await page.getByRole('button', { name: 'Warehouse app key' }).click();
    await page.getByLabel('Secret Value').fill(pasted);
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByText('warehouse now holds version').waitFor();
    await page.getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('button', { name: 'Undeploy' }).waitFor();

    const app = await credentials();
    expect(app.status).toBe(200);
    expect(JSON.stringify(app.json)).toContain(newSecret);
    expect(JSON.stringify(app.json)).not.toContain(firstSecret);
    expect((await whoami(rekey.url, keyId, newSecret)).status).toBe(200);
    expect((await whoami(rekey.url, keyId, firstSecret)).json.code).toBe('stale_secret');
    const after = (await rekey.request('GET', `/v1/clients/${keyId}`)).json;
    expect(after).toMatchObject({ id: keyId, locked: false });
  });

  it("seed 003: an integrator's own grace rotation shows in the timeline with both versions and a live countdown", async () => {
    const { page } = await asAdmin();
    await nav(page, 'Integrators');
    await page.getByLabel('Integrator name').fill('Acme Partner');
    await page.getByRole('button', { name: 'Create integrator' }).click();
    const clientId = await revealed(page, 'Client ID');
    const secret = await revealed(page, 'Client Secret');

    const rotated = await regenerateIntegratorSecret(rekey.url, { clientId, secret }, 600);
    expect(rotated.oldSecretExpiresAt).toBeDefined();
    expect((await signedFetch({ clientId, secret }, `${rekey.url}/v1/whoami`)).status).toBe(200);

    await page.getByRole('link', { name: 'Acme Partner' }).click();
    await page.getByRole('heading', { name: 'Secret versions' }).waitFor();
    const versions = (await rekey.request('GET', `/v1/clients/${clientId}`)).json.versions as Array<{ versionId: string; state: string }>;
    expect(versions.map((version) => version.state)).toEqual(['current', 'previous']);
    const items = page.locator('.timeline-item');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(0).getAttribute('data-version-id')).toBe(versions[0]!.versionId);
    expect(await items.nth(0).getAttribute('data-state')).toBe('current');
    expect(await items.nth(1).getAttribute('data-version-id')).toBe(versions[1]!.versionId);
    expect(await items.nth(1).getAttribute('data-state')).toBe('previous');
    const countdown = items.nth(1).locator('.countdown');
    const first = await countdown.textContent();
    expect(first).toMatch(/^(9|10) min/);
    await expect.poll(() => countdown.textContent(), { timeout: 3000 }).not.toBe(first);
    await items.nth(1).getByRole('progressbar', { name: 'Grace period left' }).waitFor();
  });

  it('seed 004: Generate → Renew → the dialog names the client id → No changes nothing → Yes → Copy → the old secret is refused → Delete', async () => {
    const { page } = await asAdmin();
    await nav(page, 'API Credentials');
    await page.getByLabel('Name').fill('alexcnw');
    await page.getByLabel('Email').fill('whatevermail@example.com');
    await page.getByLabel('Application').fill('esareit');
    await page.getByRole('button', { name: 'Generate' }).click();
    const clientId = await revealed(page, 'Client ID');
    const firstSecret = await revealed(page, 'Client Secret');
    expect((await whoami(rekey.url, clientId, firstSecret)).status).toBe(200);

    await page.getByRole('button', { name: 'Renew' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(clientId);
    await page.getByRole('button', { name: 'No' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await revealed(page, 'Client Secret')).toBe(firstSecret);
    expect((await rekey.request('GET', `/v1/clients/${clientId}`)).json.versions).toHaveLength(1);
    expect((await whoami(rekey.url, clientId, firstSecret)).status).toBe(200);

    await page.getByRole('button', { name: 'Renew' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => revealed(page, 'Client Secret')).not.toBe(firstSecret);
    expect(await revealed(page, 'Client ID')).toBe(clientId);
    const newSecret = await revealed(page, 'Client Secret');
    await page.getByRole('button', { name: 'Copy' }).click();
    const copied = await clipboard(page);
    expect(copied).toContain(clientId);
    expect(copied).toContain(newSecret);

    expect((await whoami(rekey.url, clientId, firstSecret)).status).toBe(401);
    const token = await send(rekey.url, 'POST', '/oauth/token', {
      token: null,
      rawBody: 'grant_type=client_credentials',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${firstSecret}`).toString('base64')}`,
      },
    });
    expect(token.status).toBe(401);
    expect((await whoami(rekey.url, clientId, newSecret)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete' }).click();
    expect(await dialog.textContent()).toContain(clientId);
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText(`Client application ${clientId} was deleted`).waitFor();
    expect((await rekey.request('GET', `/v1/clients/${clientId}`)).json.state).toBe('deleted');
    expect((await whoami(rekey.url, clientId, newSecret)).status).toBe(401);
  });

  it('keeps a revealed secret out of storage, cookies, the URL and the history, and drops it when the page is left', async () => {
    const { page, context } = await open('/');
    await context.addInitScript(() => {
      const w = globalThis as unknown as InPage;
      const log: Array<{ state: unknown; url: string }> = [];
      w.historyLog = log;
      for (const method of ['pushState', 'replaceState'] as const) {
        const original = w.history[method].bind(w.history);
        w.history[method] = (state: unknown, unused: string, url?: string | null) => {
          log.push({ state, url: String(url ?? '') });
          return original(state, unused, url);
        };
      }
    });
    await page.reload();
    await signIn(page, main);
    await nav(page, 'API Keys');
    await page.getByLabel('Key account name').fill('Leak check');
    await page.getByRole('button', { name: 'Create key account' }).click();
    const secret = await revealed(page, 'API Key Secret');

    const snapshot = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as InPage;
        return {
          href: w.location.href,
          historyState: w.history.state,
          historyLog: w.historyLog ?? [],
          local: JSON.stringify({ ...w.localStorage }),
          session: JSON.stringify({ ...w.sessionStorage }),
          cookie: w.document.cookie,
          title: w.document.title,
          text: w.document.body.innerText,
        };
      });
    const shown = await snapshot();
    expect(shown.text).toContain(secret);
    for (const where of [
      shown.href,
      JSON.stringify(shown.historyState),
      JSON.stringify(shown.historyLog),
      shown.local,
      shown.session,
      shown.cookie,
      shown.title,
    ])
      expect(where).not.toContain(secret);
    expect(shown.historyLog.length).toBeGreaterThan(0);
    expect(shown.historyLog.every((entry) => entry.state === null)).toBe(true);

    // Leave within the console, come back with the history: gone.
    await nav(page, 'Apps');
    expect((await snapshot()).text).not.toContain(secret);
    await page.goBack();
    await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
    const back = await snapshot();
    expect(back.text).not.toContain(secret);
    expect(await page.content()).not.toContain(secret);

    // Show another one, leave the document entirely, come back (possibly from the back-forward cache): gone.
    await page.getByLabel('Key account name').fill('Leak check 2');
    await page.getByRole('button', { name: 'Create key account' }).click();
    const second = await revealed(page, 'API Key Secret');
    await page.goto('/docs');
    await page.goBack();
    await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
    expect(await page.content()).not.toContain(second);
    const cookies = await context.cookies();
    expect(JSON.stringify(cookies)).not.toContain(second);
    expect(JSON.stringify(cookies)).not.toContain(secret);
  });
});
