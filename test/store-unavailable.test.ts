import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { healthOf, startNode, stopAllNodes, type NodeProcess } from './support/rekey-nodes.js';
import { STORE_KINDS } from './support/stores.js';
import { startProxy, type Proxy } from './support/tcp-proxy.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

interface Attempt {
  sentAt: number;
  status: number;
  code?: string;
  contentType: string | null;
}

/** SPEC §9: a node that cannot confirm freshness for 1 s stops accepting cached credentials (503 `unavailable`). */
describe.runIf(STORE_KINDS.includes('postgres'))('a node that loses its database (postgres)', () => {
  let rekey: Rekey;
  let proxy: Proxy;
  let nodeB: NodeProcess;

  beforeAll(async () => {
    rekey = await startRekey('postgres');
    const direct = new URL(rekey.env.REKEY_DATABASE_URL!);
    proxy = await startProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    nodeB = await startNode({ ...rekey.env, REKEY_DATABASE_URL: proxied.toString() });
  });
  afterAll(async () => {
    await stopAllNodes();
    await proxy?.close();
    await rekey?.close();
  });

  const onB = (method: string, path: string, options: Parameters<typeof send>[3] = {}): Promise<TestResponse> =>
    send(nodeB.url, method, path, options, rekey.main.token);

  const whoamiOnB = async (clientId: string, secret: string): Promise<Attempt> => {
    const sentAt = performance.now();
    const response = await fetch(`${nodeB.url}/v1/whoami`, { headers: { authorization: basic(clientId, secret) } });
    const body = (await response.json()) as { code?: string };
    return {
      sentAt,
      status: response.status,
      contentType: response.headers.get('content-type'),
      ...(body.code ? { code: body.code } : {}),
    };
  };

  const expectUnavailable = (response: TestResponse): void => {
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json).toMatchObject({ status: 503, code: 'unavailable', type: '/problems/unavailable' });
    expect(response.headers.get('retry-after')).toBe('1');
  };

  async function waitUntilFresh(timeoutMs: number): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      if ((await healthOf(nodeB.url)).fresh) return performance.now() - started;
      await sleep(25);
    }
    throw new Error(`node B did not recover within ${timeoutMs} ms`);
  }

  for (const mode of ['reset', 'blackhole'] as const) {
    it(`${mode}: stops vouching for cached credentials within 1 s, answers 503 problems, and recovers`, async () => {
      const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: `Cached ${mode}` } });
      const neverSeen = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: `Uncached ${mode}` } });
      const clientId: string = created.json.id;
      const oldSecret: string = created.json.secret;
      expect((await whoamiOnB(clientId, oldSecret)).status).toBe(200);
      expect((await whoamiOnB(clientId, oldSecret)).status).toBe(200);
      const before = await healthOf(nodeB.url);
      expect(before.fresh).toBe(true);

      proxy.set(mode);
      const cutAt = performance.now();
      // The secret changes while node B cannot hear about it: any yes from B after the window is stale.
      const regenerated = await rekey.request('POST', `/v1/clients/${clientId}/regenerate`, { body: { graceSeconds: 0 } });
      expect(regenerated.status).toBe(200);

      const attempts: Attempt[] = [];
      while (performance.now() - cutAt < 1800) {
        attempts.push(await whoamiOnB(clientId, oldSecret));
        await sleep(5);
      }
      // Node B dates each confirmation by when its read began, which was before the cut: no slack needed.
      const windowMs = 1000;
      for (const attempt of attempts) {
        if (attempt.status === 200) {
          expect(attempt.sentAt - cutAt, 'a cached yes after the freshness window').toBeLessThan(windowMs);
        } else {
          expect(attempt).toMatchObject({ status: 503, code: 'unavailable' });
          expect(attempt.contentType).toContain('application/problem+json');
        }
      }
      const firstRefusal = attempts.find((attempt) => attempt.status === 503);
      expect(firstRefusal).toBeDefined();
      expect(firstRefusal!.sentAt - cutAt).toBeLessThan(windowMs);
      expect(attempts.filter((attempt) => attempt.sentAt - cutAt >= windowMs).every((attempt) => attempt.status === 503)).toBe(true);
      expect((await healthOf(nodeB.url)).fresh).toBe(false);

      // A credential not in memory, and the control plane, need the database: 503 as well, never 500.
      // Bounded by the pool's connect and query time limits (2 s and 6 s), never a hang.
      const missStarted = performance.now();
      const [miss, list, rotate] = await Promise.all([
        onB('GET', '/v1/whoami', { token: null, headers: { authorization: basic(neverSeen.json.id, neverSeen.json.secret) } }),
        onB('GET', '/v1/clients'),
        onB('POST', `/v1/clients/${clientId}/regenerate`, { body: { graceSeconds: 0 } }),
      ]);
      expect(performance.now() - missStarted).toBeLessThan(8000);
      for (const response of [miss, list, rotate]) expectUnavailable(response);

      proxy.set('open');
      const recoveredInMs = await waitUntilFresh(10_000);
      // Back in touch, node B first applies what changed while it was away.
      const stale = await whoamiOnB(clientId, oldSecret);
      expect(stale).toMatchObject({ status: 401, code: 'stale_secret' });
      expect((await whoamiOnB(clientId, regenerated.json.secret)).status).toBe(200);
      expect((await whoamiOnB(neverSeen.json.id, neverSeen.json.secret)).status).toBe(200);
      expect((await onB('GET', '/v1/clients')).status).toBe(200);
      console.log(
        `store-unavailable (${mode}): node B refused its cached credential ${(firstRefusal!.sentAt - cutAt).toFixed(0)} ms after the cut; fresh again ${recoveredInMs.toFixed(0)} ms after the database came back`,
      );
    });
  }
});
