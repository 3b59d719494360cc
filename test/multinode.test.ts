import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { healthOf, startNode, stopAllNodes, type NodeProcess } from './support/rekey-nodes.js';
import { STORE_KINDS } from './support/stores.js';

const TRIALS = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Attempt {
  sentAt: number;
  receivedAt: number;
  status: number;
  code?: string;
}

/**
 * Two `rekey serve` processes on one database (SPEC §9): a credential rotated on node A stops
 * working on node B within 1 s, while B keeps serving verified credentials from memory.
 */
describe.each(STORE_KINDS)('two nodes on one database (%s)', (kind) => {
  let rekey: Rekey;
  let nodeA: NodeProcess;
  let nodeB: NodeProcess;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    [nodeA, nodeB] = await Promise.all([startNode(rekey.env), startNode(rekey.env)]);
  });
  afterAll(async () => {
    await stopAllNodes();
    await rekey?.close();
  });

  const onA = (method: string, path: string, options: Parameters<typeof send>[3] = {}): Promise<TestResponse> =>
    send(nodeA.url, method, path, options, rekey.main.token);
  const onB = (method: string, path: string, options: Parameters<typeof send>[3] = {}): Promise<TestResponse> =>
    send(nodeB.url, method, path, options, rekey.main.token);

  it(`node B refuses a secret regenerated on node A within 1 s, in ${TRIALS} trials, serving from memory meanwhile`, async () => {
    const whoamiOnB = async (clientId: string, value: string): Promise<Attempt> => {
      const sentAt = performance.now();
      const response = await fetch(`${nodeB.url}/v1/whoami`, { headers: { authorization: basic(clientId, value) } });
      const body = (await response.json()) as { code?: string };
      return { sentAt, receivedAt: performance.now(), status: response.status, ...(body.code ? { code: body.code } : {}) };
    };
    const latencies: number[] = [];
    let accepted = 0;

    /** One client, rotated trial after trial; the lanes run side by side to keep the test short. */
    const lane = async (trials: number): Promise<void> => {
      const created = await onA('POST', '/v1/clients', { body: { profile: 'oauth', name: 'Hammered' } });
      expect(created.status).toBe(201);
      const clientId: string = created.json.id;
      let secret: string = created.json.secret;
      expect((await whoamiOnB(clientId, secret)).status).toBe(200);
      for (let trial = 0; trial < trials; trial++) {
        const old = secret;
        const attempts: Attempt[] = [];
        let regeneratedAt = Infinity;
        let stop = false;
        const hammer = async (): Promise<void> => {
          while (!stop) {
            const attempt = await whoamiOnB(clientId, old);
            attempts.push(attempt);
            if (attempt.status !== 200 && attempt.sentAt > regeneratedAt) stop = true;
            if (performance.now() - regeneratedAt > 3000) stop = true;
          }
        };
        const hammering = Promise.all([hammer(), hammer()]);
        await sleep(3 + Math.random() * 12);
        const regenerated = await onA('POST', `/v1/clients/${clientId}/regenerate`, { body: { graceSeconds: 0 } });
        regeneratedAt = performance.now();
        expect(regenerated.status).toBe(200);
        secret = regenerated.json.secret;
        await hammering;

        // Every answer is a clean yes or a clean `stale_secret`, and once refused the old secret stays refused.
        for (const attempt of attempts) {
          expect(attempt.status === 200 || (attempt.status === 401 && attempt.code === 'stale_secret'), JSON.stringify(attempt)).toBe(true);
        }
        const firstRefusal = attempts.filter((attempt) => attempt.status === 401).sort((a, b) => a.receivedAt - b.receivedAt)[0];
        expect(firstRefusal, 'node B never refused the old secret').toBeDefined();
        const lateYes = attempts.filter((attempt) => attempt.status === 200 && attempt.sentAt > firstRefusal!.receivedAt);
        expect(lateYes, 'accepted again after a refusal').toEqual([]);
        const latency = Math.max(0, firstRefusal!.receivedAt - regeneratedAt);
        expect(latency).toBeLessThanOrEqual(1000);
        latencies.push(latency);
        accepted += attempts.filter((attempt) => attempt.status === 200).length;
      }
    };

    // SQLite's follower reads the log every 100 ms, so its trials run four at a time to keep the test short;
    // on PostgreSQL one at a time, so the latency measured is the notification's, not the test machine's load.
    const lanes = kind === 'sqlite' ? 4 : 1;
    const before = await healthOf(nodeB.url);
    await Promise.all(Array.from({ length: lanes }, () => lane(TRIALS / lanes)));
    const after = await healthOf(nodeB.url);
    const hits = after.cache.hits - before.cache.hits;
    const misses = after.cache.misses - before.cache.misses;
    expect(latencies).toHaveLength(TRIALS);
    // Only the first lookups after each invalidation may go to the database.
    expect(hits).toBeGreaterThanOrEqual(accepted - 2 * TRIALS);
    expect(misses).toBeLessThanOrEqual(4 * TRIALS);
    expect(after.fresh).toBe(true);

    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `multinode (${kind}): node B refused the old secret after node A's response in p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms over ${TRIALS} trials; ` +
        `node B cache hits ${hits}, misses ${misses}, old-secret requests accepted before each change ${accepted}`,
    );
  });

  it('wrong secrets spread over both nodes lock a key account at exactly its limit', async () => {
    const locked = await onA('POST', '/v1/clients', {
      body: { profile: 'apikey', name: 'Lockable', lockScope: 'keyAccount', maxFailedAttempts: 5, throttleFailuresPerMinute: 1000 },
    });
    // A well-formed secret (valid checksum) that belongs to another key account.
    const donor = await onA('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Donor' } });
    const clientId: string = locked.json.id;
    const attempt = (node: NodeProcess, secret: string): Promise<TestResponse> =>
      send(node.url, 'GET', '/v1/whoami', { token: null, headers: { authorization: basic(clientId, secret) } });
    // Both nodes hold the key account in memory before the attack starts.
    expect((await attempt(nodeA, locked.json.secret)).status).toBe(200);
    expect((await attempt(nodeB, locked.json.secret)).status).toBe(200);

    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => attempt(i % 2 === 0 ? nodeA : nodeB, donor.json.secret)));
    const codes = answers.map((answer) => answer.json.code as string);
    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    expect(codes.filter((code) => code === 'bad_secret')).toHaveLength(4);
    expect(codes.filter((code) => code === 'locked')).toHaveLength(12);
    const view = await onA('GET', `/v1/clients/${clientId}`);
    expect(view.json).toMatchObject({ locked: true, failedAttempts: 5 });

    // The lock reaches both nodes' memory: the right secret is refused everywhere (within 1 s).
    for (const node of [nodeA, nodeB]) {
      const deadline = performance.now() + 1000;
      let answer = await attempt(node, locked.json.secret);
      while (answer.json?.code !== 'locked' && performance.now() < deadline) {
        await sleep(20);
        answer = await attempt(node, locked.json.secret);
      }
      expect(answer.json.code).toBe('locked');
    }
    expect((await onA('GET', `/v1/clients/${clientId}`)).json.failedAttempts).toBe(5);
  });

  it('a regenerate sent to both nodes with one Idempotency-Key rotates once and both get the same answer', async () => {
    const created = await onA('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Raced' } });
    const clientId: string = created.json.id;
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}-${randomBytes(6).toString('hex')}`;
      const headers = { 'idempotency-key': key };
      const [fromA, fromB] = await Promise.all([
        onA('POST', `/v1/clients/${clientId}/regenerate`, { body: { graceSeconds: 0 }, headers }),
        onB('POST', `/v1/clients/${clientId}/regenerate`, { body: { graceSeconds: 0 }, headers }),
      ]);
      expect(fromA.status).toBe(200);
      expect(fromB.status).toBe(200);
      expect(fromB.json).toEqual(fromA.json);
      const view = await onA('GET', `/v1/clients/${clientId}`);
      expect(view.json.versions).toHaveLength(round + 2);
      expect(
        view.json.versions.filter((v: { state: string }) => v.state === 'current').map((v: { versionId: string }) => v.versionId),
      ).toEqual([fromA.json.versionId]);
      const whoami = await onB('GET', '/v1/whoami', { token: null, headers: { authorization: basic(clientId, fromA.json.secret) } });
      expect(whoami.status).toBe(200);
    }
  });
});
