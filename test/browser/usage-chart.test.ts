import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from '../support/harness.js';
import { whoami } from '../support/key-accounts.js';
import { launchBrowser, setPassword, signedIn, type ConsoleTab } from './support/browser.js';

/**
 * The client page's chart of verifications per version per hour (GET /v1/clients/{id}/usage): after
 * a rotation with grace, traffic with the old and the new secret shows as bars of both versions.
 */
describe('the usage chart on a client page (Chromium)', () => {
  let rekey: Rekey;
  let browser: Browser;
  const tabs: ConsoleTab[] = [];

  beforeAll(async () => {
    [rekey, browser] = await Promise.all([startRekey('sqlite'), launchBrowser()]);
    await setPassword(rekey, rekey.main.token);
  });

  afterAll(async () => {
    for (const tab of tabs) expect(tab.problems, 'no CSP violation or page error').toEqual([]);
    await browser?.close();
    await rekey?.close();
  });

  it('shows bars for the old and the new version after traffic with both secrets', async () => {
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await send(rekey.url, method, path, body !== undefined ? { body } : {}, rekey.main.token);
      expect(response.status, `${method} ${path}: ${response.text}`).toBeLessThan(300);
      return response.json;
    };
    const key = await api('POST', '/v1/clients', { profile: 'apikey', name: 'Draining key' });
    for (let i = 0; i < 3; i++) expect((await whoami(rekey.url, key.id, key.secret)).status).toBe(200);
    const fresh = await api('POST', `/v1/clients/${key.id}/regenerate`, { graceSeconds: 3600 });
    for (let i = 0; i < 2; i++) expect((await whoami(rekey.url, key.id, key.secret)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await whoami(rekey.url, key.id, fresh.secret)).status).toBe(200);
    await rekey.runtime.flush();

    const tab = await signedIn(browser, rekey, { accountId: rekey.main.accountId, email: 'admin@acme.test' }, `/clients/${key.id}`);
    tabs.push(tab);
    const chart = tab.page.getByRole('img', { name: /Verifications per hour/ });
    await chart.waitFor();
    // Each bar's tooltip reads "hh:mm · version: count"; an hour that turned mid-test splits a version's bars.
    const titles = await chart.locator('rect > title').allTextContents();
    const totals = new Map<string, number>();
    for (const title of titles) {
      const [, versionId, count] = /· (ver_\w+): (\d+)$/.exec(title) ?? [];
      if (versionId) totals.set(versionId, (totals.get(versionId) ?? 0) + Number(count));
    }
    expect(Object.fromEntries(totals)).toEqual({ [key.versionId]: 5, [fresh.versionId]: 4 });
    const legend = tab.page.getByRole('figure').getByRole('listitem');
    await expect
      .poll(() => legend.allTextContents())
      .toEqual(expect.arrayContaining([`${key.versionId} previous`, `${fresh.versionId} current`]));
    expect(await tab.page.getByText('No usage data yet').count()).toBe(0);
  });
});
