import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { send, type Rekey } from '../../support/harness.js';

/** Debian's chromium (`apt-get install -y chromium`, as .ci/run does); no browser is downloaded. */
export const CHROMIUM = process.env.REKEY_CHROMIUM ?? '/usr/bin/chromium';

/** The flags this machine needs: no sandbox as root, and no background traffic to hosts it cannot reach. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const PASSWORD = 'correct horse battery staple';

interface InPageElement {
  textContent: string | null;
  innerText: string;
  closest(selector: string): InPageElement | null;
}

/**
 * The browser globals the tests touch inside `page.evaluate` callbacks. The test program is typed
 * for Node (no DOM library, whose fetch types clash with Node's), so callbacks cast `globalThis` to
 * this instead: `const w = globalThis as unknown as InPage;` (a type only; nothing crosses over).
 */
export interface InPage {
  document: {
    activeElement: InPageElement | null;
    body: InPageElement;
    cookie: string;
    title: string;
    addEventListener(type: 'securitypolicyviolation', listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
  };
  history: {
    state: unknown;
    pushState(state: unknown, unused: string, url?: string | null): void;
    replaceState(state: unknown, unused: string, url?: string | null): void;
  };
  location: { href: string };
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  navigator: { clipboard: { readText(): Promise<string> } };
  console: { error(message: string): void };
  PopStateEvent: new (type: string) => unknown;
  dispatchEvent(event: unknown): boolean;
  requestAnimationFrame(callback: () => void): number;
  historyLog?: Array<{ state: unknown; url: string }>;
  axe?: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }>;
  };
}

/** Navigates inside the single-page app (pushState + popstate), as its own links do. */
export async function goInApp(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    const w = globalThis as unknown as InPage;
    w.history.pushState(null, '', to);
    w.dispatchEvent(new w.PopStateEvent('popstate'));
  }, path);
}

/** The text of the element that has focus. */
export async function focusedText(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent);
}

/** One browser per test file (each launch makes a fresh, empty user-data dir of its own). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set REKEY_CHROMIUM).`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations the page reported, and uncaught page errors. */
  problems: string[];
}

/** A fresh browser profile (no cookies) on the console, 1280×800, clipboard allowed. */
export async function openConsole(browser: Browser, rekey: Rekey, path = '/'): Promise<ConsoleTab> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    baseURL: rekey.url,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rekey.url });
  const problems: string[] = [];
  await context.addInitScript(() => {
    const w = globalThis as unknown as InPage;
    w.document.addEventListener('securitypolicyviolation', (event) => {
      w.console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /CSP violation|Content Security Policy/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(path);
  return { context, page, problems };
}

/** Gives a member a console password through the API (the harness creates members without one). */
export async function setPassword(rekey: Rekey, token: string, password = PASSWORD): Promise<void> {
  const response = await send(rekey.url, 'PUT', '/v1/members/me/password', { token, body: { password } });
  if (response.status !== 204) throw new Error(`set password: ${response.status} ${response.text}`);
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, input: { accountId: string; email: string; password?: string }): Promise<void> {
  await page.getByLabel('Account').fill(input.accountId);
  await page.getByLabel('Email').fill(input.email);
  await page.getByLabel('Password').fill(input.password ?? PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function signedIn(
  browser: Browser,
  rekey: Rekey,
  input: { accountId: string; email: string; password?: string },
  path = '/',
): Promise<ConsoleTab> {
  const tab = await openConsole(browser, rekey, path);
  await signIn(tab.page, input);
  return tab;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core's WCAG 2.x A/AA rules and best practices on the page as it is now. Injected through the
 * DevTools protocol, which the page's CSP does not govern, so the console's real CSP stays on.
 */
export async function axeFindings(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const w = globalThis as unknown as InPage;
    const result = await w.axe!.run(w.document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

/** The findings a screen must not have: serious or critical. */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  return (await axeFindings(page)).filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
}

/** The text of a revealed value (the elements are labelled with the pinned names). */
export async function revealed(page: Page, label: string): Promise<string> {
  const text = (await page.getByLabel(label).textContent())?.trim() ?? '';
  if (!text) throw new Error(`nothing revealed under ${label}`);
  return text;
}

export async function clipboard(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText());
}
