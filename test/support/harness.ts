import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { initializeAccount } from '../../src/core/accounts/initialize-account.js';
import { createApp, createRuntime, type Runtime } from '../../src/main.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores.js';
import { createTestClock, type TestClock } from './test-clock.js';

export interface TestAccount {
  accountId: string;
  memberId: string;
  token: string;
}

export interface Rekey {
  kind: StoreKind;
  url: string;
  config: Config;
  runtime: Runtime;
  app: FastifyInstance;
  clock: TestClock;
  db: TestDatabase;
  masterKey: string;
  /** Every log line the server wrote. */
  logs: string[];
  /** The first account (an Administrator's token) and a second, unrelated account. */
  main: TestAccount;
  other: TestAccount;
  /** Environment for a CLI or server process sharing this database. */
  env: Record<string, string>;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export async function send(
  url: string,
  method: string,
  path: string,
  options: RequestOptions = {},
  defaultToken?: string,
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const token = options.token === undefined ? defaultToken : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url + path, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts Rekey in-process on a fresh database of `kind`, listening on a free loopback port. */
export async function startRekey(kind: StoreKind, options: { env?: Record<string, string>; background?: boolean } = {}): Promise<Rekey> {
  const db = await createTestDatabase(kind);
  const masterKey = randomBytes(32).toString('base64');
  const env: Record<string, string> = {
    REKEY_DATABASE_URL: db.url,
    REKEY_MASTER_KEY: masterKey,
    REKEY_LOG_LEVEL: 'info',
    REKEY_TEST_LIGHT_HASHING: '1',
    ...(options.env ?? {}),
  };
  const clock = createTestClock();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  // The public URL must name the real port, so pick it before building.
  const port = String(await freePort());
  const config = loadConfig({ ...env, REKEY_PORT: port });
  const runtime = await createRuntime(config, { clock, background: options.background ?? true, warn: (message) => logs.push(message) });
  const app = await createApp(runtime, { logStream });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;

  const main = await initializeAccount(runtime.core, {
    accountId: 'acme1',
    name: 'Acme',
    adminEmail: 'admin@acme.test',
    passwordHash: null,
  });
  const other = await initializeAccount(
    runtime.core,
    { accountId: 'other2', name: 'Other', adminEmail: 'admin@other.test', passwordHash: null },
    { requireEmpty: false },
  );

  return {
    kind,
    url,
    config,
    runtime,
    app,
    clock,
    db,
    masterKey,
    logs,
    main: { accountId: main.accountId, memberId: main.memberId, token: main.adminToken },
    other: { accountId: other.accountId, memberId: other.memberId, token: other.adminToken },
    env,
    request: (method, path, requestOptions) => send(url, method, path, requestOptions, main.adminToken),
    async close() {
      await app.close();
      await runtime.close();
      await db.drop();
    },
  };
}
