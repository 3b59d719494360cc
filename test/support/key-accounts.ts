import { request as httpRequest } from 'node:http';
import { generateCredential } from '../../src/core/kernel/credential-format.js';
import { newId } from '../../src/core/kernel/new-id.js';
import type { Permission } from '../../src/core/accounts/permissions.js';
import { cryptoRandom } from '../../src/core/kernel/random.js';
import { send, type Rekey, type TestResponse } from './harness.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** GET /v1/whoami with Basic credentials, as a key account's user would call. */
export function whoami(url: string, id: string, secret: string, headers: Record<string, string> = {}): Promise<TestResponse> {
  return send(url, 'GET', '/v1/whoami', { token: null, headers: { authorization: basic(id, secret), ...headers } });
}

/** The same call from a chosen loopback source address (127.0.0.2 …), to test per-address rules. */
export function whoamiFrom(
  url: string,
  localAddress: string,
  id: string,
  secret: string,
): Promise<{ status: number; json: { code?: string; [field: string]: unknown } }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${url}/v1/whoami`,
      { method: 'GET', localAddress, headers: { authorization: basic(id, secret) }, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Creates an admin token for the main Administrator with only `permissions` (for 403 checks). */
export async function limitedToken(rekey: Rekey, permissions: Permission[]): Promise<string> {
  const token = generateCredential('adminToken', cryptoRandom);
  const now = Date.now();
  await rekey.runtime.core.store.insertAdminToken({
    id: newId('atk', cryptoRandom),
    accountId: rekey.main.accountId,
    memberId: rekey.main.memberId,
    name: 'limited',
    tokenHash: rekey.runtime.core.keyring.hash(token),
    permissions,
    createdAt: now,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  });
  return token;
}

export async function createKeyAccount(
  rekey: Rekey,
  fields: Record<string, unknown> = {},
  name = 'Key account',
): Promise<{ id: string; secret: string; versionId: string }> {
  const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name, ...fields } });
  if (created.status !== 201) throw new Error(`create key account: ${created.status} ${created.text}`);
  return { id: created.json.id, secret: created.json.secret, versionId: created.json.versionId };
}

/** Polls until `check` holds (the change log reaches every node within 1 s). */
export async function eventually<T>(check: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (accept(value) || Date.now() > deadline) return value;
    await sleep(25);
  }
}

export interface Answer {
  code: string;
  versionId?: string;
}

/**
 * A simulated running app: fetches its secret with its app token, then authenticates with it and
 * `Rekey-App-Id`, every few milliseconds, recording each answer. While undeployed it gets no
 * secret and waits, as an app stopped by its host would.
 */
export function startRunningApp(
  url: string,
  options: { appId: string; appToken: string; keyAccountId: string; slot: string; intervalMs?: number },
): {
  answers: Answer[];
  waitFor(predicate: (answers: Answer[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
} {
  const answers: Answer[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const credentials = await send(url, 'GET', '/v1/app/credentials', { token: options.appToken });
      if (credentials.status === 200) {
        const slot = (credentials.json.secrets as Array<{ name: string; value: string }>).find((item) => item.name === options.slot);
        if (slot) {
          const answer = await whoami(url, options.keyAccountId, slot.value, {
            'rekey-app-id': options.appId,
            'user-agent': 'sim-app/1.0',
          });
          answers.push(
            answer.status === 200 ? { code: 'ok', versionId: answer.json.versionId } : { code: answer.json?.code ?? String(answer.status) },
          );
        }
      } else {
        answers.push({ code: credentials.json?.state === 'undeployed' ? 'undeployed' : `credentials:${credentials.status}` });
      }
      await sleep(options.intervalMs ?? 3);
    }
  })();
  return {
    answers,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(answers)) {
        if (Date.now() > deadline) throw new Error(`running app: condition not met; last answers ${JSON.stringify(answers.slice(-5))}`);
        await sleep(10);
      }
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Scans text for anything shaped like a Rekey secret or token. */
export function secretsIn(text: string): string[] {
  return text.match(/rk_(?:sec|app|tok)_[0-9A-Za-z]{49}/g) ?? [];
}
