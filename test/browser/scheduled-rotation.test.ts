import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledRotations } from '../../src/core/rotation/index.js';
import { send, startRekey, type Rekey } from '../support/harness.js';
import { PASSWORD, launchBrowser, seriousAxeFindings, setPassword, signedIn, type ConsoleTab } from './support/browser.js';

const DAY = 86_400_000;

/**
 * Scheduled rotation in the console (SPEC §12, §7): a key account's policy set through the dialog,
 * a refused value shown beside its field with nothing changed, a notify-only policy on another
 * profile, removal with confirmation, the scheduler's runs in the rotation history, the Rotation due
 * badge on the page and in the list, a read-only member and the portal key account.
 */
describe('scheduled rotation on the client page (Chromium)', () => {
  let rekey: Rekey;
  let browser: Browser;
  let portalKeyId: string;
  const tabs: ConsoleTab[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await send(rekey.url, method, path, body !== undefined ? { body } : {}, rekey.main.token);
    expect(response.status, `${method} ${path}: ${response.text}`).toBeLessThan(300);
    return response.json;
  };
  /** Makes the client's current secret `days` older, so its due date is behind it (as the crash case of test/scheduled-rotation.test.ts). */
  const ageSecret = (clientId: string, days: number) =>
    rekey.runtime.opened.db.run('UPDATE secret_versions SET created_at = created_at - ? WHERE client_id = ?', [days * DAY, clientId]);
  const section = (page: Page, title: string): Locator =>
    page.locator('section', { has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
  const admin = async (path: string): Promise<Page> => {
    const tab = await signedIn(browser, rekey, { accountId: rekey.main.accountId, email: 'admin@acme.test' }, path);
    tabs.push(tab);
    return tab.page;
  };

  beforeAll(async () => {
    // No background scheduler: each pass below is the test's own.
    [rekey, browser] = await Promise.all([startRekey('sqlite', { background: false }), launchBrowser()]);
    await setPassword(rekey, rekey.main.token);
    const registered = await api('POST', '/v1/register', {
      companyId: rekey.main.accountId,
      email: 'admin@acme.test',
      password: PASSWORD,
    });
    portalKeyId = registered.clientId;
  }, 60_000);

  afterAll(async () => {
    for (const tab of tabs) expect(tab.problems, 'no CSP violation or page error').toEqual([]);
    await browser?.close();
    await rekey?.close();
  });

  it('a key account: set an auto policy through the dialog, a bad value refused beside its field, a scheduled run in the history, removal', async () => {
    const key = await api('POST', '/v1/clients', { profile: 'apikey', name: 'Billing exporter' });
    const app = await api('POST', '/v1/apps', { name: 'Billing service', config: { apiKeyId: key.id } });
    await api('PUT', `/v1/apps/${app.id}/secrets/BILLING_KEY`, { keyAccountId: key.id, value: key.secret });
    await api('POST', `/v1/apps/${app.id}/deploy`, {});

    const page = await admin(`/clients/${key.id}`);
    const schedule = section(page, 'Scheduled rotation');
    await schedule.getByText('No scheduled rotation').waitFor();
    expect(await section(page, 'Rotation history').count(), 'no history without a policy or runs').toBe(0);

    await schedule.getByRole('button', { name: 'Set rotation policy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedule rotation' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: 'Rotate automatically' }).isChecked()).toBe(true);
    await dialog.getByLabel('Rotate every (days)').fill('30');
    // Warning as many days ahead as the period: the server's problem document names /warnDays.
    await dialog.getByLabel('Warn before (days)').fill('30');
    await dialog.getByRole('button', { name: 'Save policy' }).click();
    const warnInput = dialog.getByLabel('Warn before (days)');
    await expect.poll(() => warnInput.getAttribute('aria-invalid')).toBe('true');
    const warnError = dialog.locator('.field-error');
    expect(await warnError.textContent()).toMatch(/from 0 to 29/);
    // The error sits with its field: the input names it, and focus went there.
    const described = (await warnInput.getAttribute('aria-describedby')) ?? '';
    expect(described.split(' ')).toContain(await warnError.getAttribute('id'));
    expect(await dialog.locator(':focus').getAttribute('id')).toBe(await warnInput.getAttribute('id'));
    expect((await api('GET', `/v1/clients/${key.id}`)).rotationPolicy).toBeNull();
    expect(await seriousAxeFindings(page), 'the dialog with a field error').toEqual([]);

    await warnInput.fill('5');
    await dialog.getByLabel('Grace period').fill('12');
    await dialog.getByLabel('Unit').selectOption({ label: 'hours' });
    await dialog.getByRole('button', { name: 'Save policy' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await schedule.getByText('Every 30 days, automatically, 12 hours grace; warns 5 days before').waitFor();
    const saved = await api('GET', `/v1/clients/${key.id}`);
    expect(saved.rotationPolicy).toEqual({ everyDays: 30, warnDays: 5, graceSeconds: 43_200, mode: 'auto' });
    expect(await schedule.locator('time').getAttribute('datetime')).toBe(saved.rotationDueAt);
    expect(await schedule.getByText(/\(in 30 days\)/).count()).toBe(1);
    await section(page, 'Rotation history').getByText('The scheduler has not acted on this client yet').waitFor();

    // A grace beyond the account's longest (7 days) is refused beside the grace field; the policy stays.
    await schedule.getByRole('button', { name: 'Change rotation policy' }).click();
    const change = page.getByRole('dialog', { name: 'Change scheduled rotation' });
    expect(await change.getByLabel('Grace period').inputValue()).toBe('12');
    await change.getByLabel('Grace period').fill('8');
    await change.getByLabel('Unit').selectOption({ label: 'days' });
    await change.getByRole('button', { name: 'Save policy' }).click();
    await change
      .locator('.field-error')
      .getByText(/from 0 to 604800/)
      .waitFor();
    expect(await change.getByLabel('Grace period').getAttribute('aria-invalid')).toBe('true');
    await change.getByRole('button', { name: 'Cancel' }).click();
    await change.waitFor({ state: 'hidden' });
    expect((await api('GET', `/v1/clients/${key.id}`)).rotationPolicy.graceSeconds).toBe(43_200);
    await schedule.getByText('12 hours grace').waitFor();

    // The secret passes its due date: the page says so; one scheduler pass rotates it through the app.
    await ageSecret(key.id, 31);
    await page.reload();
    await schedule.getByText('The secret is past its due date').waitFor();
    await page.locator('.page-subtitle').getByText('Rotation due').waitFor();
    expect(await seriousAxeFindings(page), 'a client with its rotation due').toEqual([]);
    await runScheduledRotations(rekey.runtime.core);
    await page.reload();
    const history = page.getByRole('table', { name: 'Rotation history' });
    const rotated = history.getByRole('row').filter({ hasText: 'Rotation' }).filter({ hasText: 'Succeeded' });
    await rotated.waitFor();
    const [run] = (await api('GET', `/v1/clients/${key.id}/rotations`)).items.filter((item: { kind: string }) => item.kind === 'rotate');
    expect(run).toMatchObject({ status: 'succeeded', attempts: 1 });
    const row = await rotated.textContent();
    expect(row).toContain('1 attempt');
    expect(row).toContain('updated (BILLING_KEY), redeployed');
    expect(row).toContain(run.versionId);
    expect(await rotated.getByRole('link').getAttribute('href')).toBe(`/apps/${app.id}`);
    expect(await page.locator('.page-subtitle').getByText('Rotation due').count()).toBe(0);
    expect(await schedule.getByText(/\(in 30 days\)/).count()).toBe(1);
    expect(await seriousAxeFindings(page), 'the rotation history').toEqual([]);

    // Removal asks first, naming the key account; the history stays.
    await schedule.getByRole('button', { name: 'Remove rotation policy' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove scheduled rotation' });
    expect(await confirm.textContent()).toContain('Billing exporter');
    expect(await confirm.textContent()).toContain(key.id);
    await confirm.getByRole('button', { name: 'No' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect((await api('GET', `/v1/clients/${key.id}`)).rotationPolicy).not.toBeNull();
    await schedule.getByRole('button', { name: 'Remove rotation policy' }).click();
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await schedule.getByText('No scheduled rotation').waitFor();
    expect((await api('GET', `/v1/clients/${key.id}`)).rotationPolicy).toBeNull();
    await rotated.waitFor();
  });

  it('another profile: notify only, no auto offered; past its due date it reads Rotation due on the page and in the list', async () => {
    const partner = await api('POST', '/v1/clients', { profile: 'oauth', name: 'Partner portal', application: 'partner-portal' });
    const page = await admin(`/clients/${partner.id}`);
    const schedule = section(page, 'Scheduled rotation');
    await schedule.getByRole('button', { name: 'Set rotation policy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedule rotation' });
    await dialog.getByText('Automatic rotation is for key accounts').waitFor();
    expect(await dialog.getByRole('radio').count()).toBe(0);
    expect(await dialog.getByLabel('Grace period').count()).toBe(0);
    await dialog.getByLabel('Rotate every (days)').fill('14');
    await dialog.getByLabel('Warn before (days)').fill('0');
    await dialog.getByRole('button', { name: 'Save policy' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await schedule.getByText('Every 14 days, by telling the administrators; no warning before the due date').waitFor();
    expect((await api('GET', `/v1/clients/${partner.id}`)).rotationPolicy).toMatchObject({ everyDays: 14, warnDays: 0, mode: 'notify' });

    await ageSecret(partner.id, 15);
    await runScheduledRotations(rekey.runtime.core);
    await page.reload();
    await page.locator('.page-subtitle').getByText('Rotation due').waitFor();
    await schedule.getByText('regenerate it').waitFor();
    await page
      .getByRole('table', { name: 'Rotation history' })
      .getByRole('row')
      .filter({ hasText: 'Marked due' })
      .getByText('Notified')
      .waitFor();

    await page.getByRole('link', { name: 'API Credentials' }).first().click();
    const listRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Partner portal' }) });
    await listRow.getByText('Rotation due').waitFor();
    expect(await seriousAxeFindings(page), 'a list with a Rotation due badge').toEqual([]);
  });

  it('a member without credentials.manage reads the policy but cannot change it; the portal key account only has a note', async () => {
    const key = await api('POST', '/v1/clients', { profile: 'apikey', name: 'Reporting key' });
    await api('PUT', `/v1/clients/${key.id}/rotation-policy`, { everyDays: 60, mode: 'notify', warnDays: 10 });
    await api('POST', '/v1/roles', { name: 'Viewer', permissions: ['credentials.read'] });
    await api('POST', '/v1/members', { email: 'viewer@acme.test', roles: ['Viewer'], password: PASSWORD });
    const tab = await signedIn(browser, rekey, { accountId: rekey.main.accountId, email: 'viewer@acme.test' }, `/clients/${key.id}`);
    tabs.push(tab);
    const schedule = section(tab.page, 'Scheduled rotation');
    await schedule.getByText('Every 60 days, by telling the administrators; warns 10 days before').waitFor();
    expect(await schedule.getByRole('button').count()).toBe(0);

    const page = await admin(`/clients/${portalKeyId}`);
    await page.getByText('None: the portal key account is rotated by registration').waitFor();
    expect(await section(page, 'Scheduled rotation').count()).toBe(0);
    expect(await section(page, 'Rotation history').count()).toBe(0);
  });
});
