import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { expect } from 'vitest';
import { freePort, send, type Rekey, type TestResponse } from './harness.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns something truthy, or fails with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface ReceivedMail {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Refuse (451) the first delivery of each Message-ID after having received it: the sender sees a failure, the receiver a duplicate. */
  ackLossOnFirstDelivery: boolean;
  isListening(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string): string => {
    const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line ? line.slice(name.length + 1).trim() : '';
  };
  const text = /quoted-printable/i.test(header('Content-Transfer-Encoding')) ? decodeQuotedPrintable(body) : body;
  return { messageId: header('Message-ID'), to, subject: header('Subject'), text, raw };
}

/** A real SMTP server (npm smtp-server) in the test process, on a port that stays ours while it is stopped. */
export async function createTestSmtpServer(port?: number): Promise<TestSmtpServer> {
  const chosen = port ?? (await freePort());
  let server: SMTPServer | null = null;
  const state: TestSmtpServer = {
    port: chosen,
    url: `smtp://127.0.0.1:${chosen}`,
    received: [],
    ackLossOnFirstDelivery: false,
    isListening: () => server !== null,
    async start() {
      if (server) return;
      const created = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const mail = parseMail(
              Buffer.concat(chunks).toString('utf8'),
              session.envelope.rcptTo.map((rcpt) => rcpt.address),
            );
            const firstTime = !state.received.some((seen) => seen.messageId === mail.messageId);
            state.received.push(mail);
            if (state.ackLossOnFirstDelivery && firstTime) {
              const error = new Error('Temporary failure, try again') as Error & { responseCode: number };
              error.responseCode = 451;
              return callback(error);
            }
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(chosen, '127.0.0.1', () => resolve());
      });
      created.on('error', () => undefined);
      server = created;
    },
    async stop() {
      const current = server;
      server = null;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
  return state;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

export interface TestWebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer for a delivery; default 204. */
  respond: (delivery: ReceivedWebhook, index: number) => number;
  close(): Promise<void>;
}

/** A real HTTP receiver (node:http) recording every webhook delivery. */
export async function createWebhookReceiver(): Promise<TestWebhookReceiver> {
  const receiver: TestWebhookReceiver = {
    url: '',
    received: [],
    respond: () => 204,
    close: async () => undefined,
  };
  const server: Server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const delivery = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path: request.url ?? '' };
      receiver.received.push(delivery);
      response.statusCode = receiver.respond(delivery, receiver.received.length - 1);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export const PORTAL_PASSWORD = 'portal admin password 1';
export const ADMIN_PASSWORD = 'administrator password 1';

/**
 * Gives the main Administrator a console password, and adds a "Portal Admin" member (role holding
 * credentials.manage, as in seed 001's "FC Portal Admin") and a reader who may not register.
 */
export async function preparePortalMembers(rekey: Rekey): Promise<{ portalAdminId: string; readerId: string }> {
  expect((await rekey.request('PUT', '/v1/members/me/password', { body: { password: ADMIN_PASSWORD } })).status).toBe(204);
  expect(
    (await rekey.request('POST', '/v1/roles', { body: { name: 'Portal Admin', permissions: ['credentials.manage', 'credentials.read'] } }))
      .status,
  ).toBe(201);
  expect((await rekey.request('POST', '/v1/roles', { body: { name: 'Reader', permissions: ['credentials.read'] } })).status).toBe(201);
  const portalAdmin = await rekey.request('POST', '/v1/members', {
    body: { email: 'portal@acme.test', roles: ['Portal Admin'], password: PORTAL_PASSWORD },
  });
  expect(portalAdmin.status, portalAdmin.text).toBe(201);
  const reader = await rekey.request('POST', '/v1/members', {
    body: { email: 'reader@acme.test', roles: ['Reader'], password: 'reader password 1' },
  });
  expect(reader.status, reader.text).toBe(201);
  return { portalAdminId: portalAdmin.json.id, readerId: reader.json.id };
}

export function register(
  rekey: Rekey,
  body: Record<string, unknown> = { companyId: 'acme1', email: 'portal@acme.test', password: PORTAL_PASSWORD },
): Promise<TestResponse> {
  return send(rekey.url, 'POST', '/v1/register', { token: null, body });
}

export interface ConsoleSession {
  cookie: string;
  csrf: string;
}

export async function signIn(rekey: Rekey, accountId: string, email: string, password: string): Promise<ConsoleSession> {
  const response = await send(rekey.url, 'POST', '/v1/sessions', { token: null, body: { accountId, email, password } });
  expect(response.status, response.text).toBe(201);
  const cookie = response.headers
    .getSetCookie()
    .find((line) => line.startsWith('rekey_session='))!
    .split(';')[0]!;
  return { cookie, csrf: response.json.csrfToken };
}

export function asSession(rekey: Rekey, session: ConsoleSession, method: string, path: string, body?: unknown): Promise<TestResponse> {
  return send(rekey.url, method, path, {
    token: null,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    ...(body !== undefined ? { body } : {}),
  });
}

export function basicAuth(id: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

export function whoami(rekey: Rekey, id: string, secret: string): Promise<TestResponse> {
  return send(rekey.url, 'GET', '/v1/whoami', { token: null, headers: basicAuth(id, secret) });
}

/** The portal app (named "portal"), a fresh app token for it, and what GET /v1/app/credentials gives it. */
export async function portalAppCredentials(
  rekey: Rekey,
  token = rekey.main.token,
  options: { newToken?: string } = {},
): Promise<{ appId: string; appToken: string; value: string; versionId: string; keyAccountId: string }> {
  const apps = await rekey.request('GET', '/v1/apps', { token });
  const portal = apps.json.items.find((app: { name: string }) => app.name === 'portal');
  expect(portal, apps.text).toBeTruthy();
  const appToken = options.newToken ?? (await rekey.request('POST', `/v1/apps/${portal.id}/token`, { token, body: {} })).json.appToken;
  const credentials = await send(rekey.url, 'GET', '/v1/app/credentials', { token: appToken });
  expect(credentials.status, credentials.text).toBe(200);
  const slot = credentials.json.secrets.find((secret: { name: string }) => secret.name === 'portal');
  return { appId: portal.id, appToken, value: slot.value, versionId: slot.versionId, keyAccountId: slot.keyAccountId };
}
