import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { parsePrometheusText, scrape, valueOf } from './support/prometheus-text.js';
import { startNode, stopAllNodes, type NodeProcess } from './support/rekey-nodes.js';
import { STORE_KINDS } from './support/stores.js';
import { startProxy, type Proxy } from './support/tcp-proxy.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** SPEC §13: probes and metrics, public, revealing no account's data. */
describe.each(STORE_KINDS)('health and metrics (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey?.close();
  });

  it('answers /livez and /readyz without credentials; /healthz shows no cache counters', async () => {
    const live = await rekey.request('GET', '/livez', { token: null });
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ status: 'ok' });
    const ready = await rekey.request('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready', fresh: true });
    const health = await rekey.request('GET', '/healthz', { token: null });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', fresh: true });
    for (const path of ['/livez', '/readyz', '/healthz', '/metrics']) {
      const spec = await rekey.request('GET', '/openapi.json', { token: null });
      expect(Object.keys(spec.json.paths)).not.toContain(path);
    }
  });

  it('serves Prometheus text whose counters move as requests are made, with no account data in it', async () => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Metered' } });
    expect(created.status).toBe(201);
    const { id, secret } = created.json as { id: string; secret: string };

    const response = await fetch(`${rekey.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = parsePrometheusText(await response.text());
    for (const family of [
      'rekey_verifications_total',
      'rekey_rotations_total',
      'rekey_lockouts_total',
      'rekey_credential_cache_hits_total',
      'rekey_credential_cache_misses_total',
      'rekey_freshness_lag_seconds',
      'rekey_outbox_backlog',
      'rekey_outbox_deliveries_total',
      'rekey_http_request_duration_seconds',
    ]) {
      expect(before.types.has(family), family).toBe(true);
    }

    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push((await fetch(`${rekey.url}/v1/whoami`, { headers: { authorization: basic(id, secret) } })).status);
    answers.push((await fetch(`${rekey.url}/v1/whoami`, { headers: { authorization: basic(id, `${secret}x`) } })).status);
    expect(answers).toEqual([200, 200, 200, 200, 200, 401]);
    const regenerated = await rekey.request('POST', `/v1/clients/${id}/regenerate`, { body: { graceSeconds: 0 } });
    expect(regenerated.status).toBe(200);
    expect((await fetch(`${rekey.url}/no-such-route`)).status).toBe(404);

    const text = await (await fetch(`${rekey.url}/metrics`)).text();
    const after = parsePrometheusText(text);
    const moved = (name: string, labels: Record<string, string> = {}): number =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(moved('rekey_verifications_total', { method: 'basic', code: 'ok' })).toBe(5);
    expect(moved('rekey_verifications_total', { method: 'basic' })).toBe(6);
    expect(moved('rekey_rotations_total', { kind: 'regenerate' })).toBeGreaterThanOrEqual(1);
    expect(moved('rekey_credential_cache_hits_total')).toBeGreaterThanOrEqual(4);
    expect(moved('rekey_http_request_duration_seconds_count', { method: 'POST', route: '/v1/clients/:id/regenerate', status: '200' })).toBe(
      1,
    );
    expect(moved('rekey_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // A histogram's buckets are cumulative and end in +Inf, which equals the count.
    const regenerateSeries = { method: 'POST', route: '/v1/clients/:id/regenerate', status: '200' };
    const buckets = after.samples.filter(
      (sample) =>
        sample.name === 'rekey_http_request_duration_seconds_bucket' &&
        Object.entries(regenerateSeries).every(([label, value]) => sample.labels[label] === value),
    );
    expect(buckets.map((sample) => sample.labels.le).at(-1)).toBe('+Inf');
    expect(buckets.length).toBe(14);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(buckets.at(-1)!.value).toBe(valueOf(after, 'rekey_http_request_duration_seconds_count', regenerateSeries));
    expect(valueOf(after, 'rekey_http_request_duration_seconds_sum', regenerateSeries)).toBeGreaterThan(0);
    expect(valueOf(after, 'rekey_freshness_lag_seconds')).toBeLessThan(1);
    expect(valueOf(after, 'rekey_fresh')).toBe(1);
    expect(valueOf(after, 'rekey_outbox_backlog')).toBeGreaterThanOrEqual(0);

    // Labels come from closed sets: no account, client, version or member id, no secret.
    for (const sample of after.samples) {
      for (const value of Object.values(sample.labels)) {
        expect(value).not.toMatch(/acme1|other2|cli_|ver_|mem_|rk_/);
      }
    }
    for (const forbidden of [id, secret, regenerated.json.secret, rekey.main.accountId, rekey.other.accountId]) {
      expect(text).not.toContain(forbidden);
    }
  });
});

/** SPEC §13 + §9: /readyz follows the store and freshness; the test owns the proxy between node and database. */
describe.runIf(STORE_KINDS.includes('postgres'))('readiness when the database goes away (postgres)', () => {
  let rekey: Rekey;
  let proxy: Proxy;
  let node: NodeProcess;

  beforeAll(async () => {
    rekey = await startRekey('postgres');
    const direct = new URL(rekey.env.REKEY_DATABASE_URL!);
    proxy = await startProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    node = await startNode({ ...rekey.env, REKEY_DATABASE_URL: proxied.toString() });
  });
  afterEach(() => proxy?.set('open'));
  afterAll(async () => {
    await stopAllNodes();
    await proxy?.close();
    await rekey?.close();
  });

  const readyz = async (): Promise<{ status: number; body: Record<string, unknown>; at: number }> => {
    const response = await fetch(`${node.url}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, at: performance.now() };
  };

  for (const mode of ['reset', 'blackhole'] as const) {
    it(`${mode}: /readyz turns 503 with the reason within 2 s and 200 again when the database returns`, async () => {
      // Ready first (after the previous case the pool may still be replacing connections the proxy cut).
      const readyBy = performance.now() + 10_000;
      while ((await readyz()).status !== 200) {
        if (performance.now() > readyBy) throw new Error('the node was not ready before the cut');
        await sleep(25);
      }
      const metricsBefore = await scrape(node.url);
      expect(valueOf(metricsBefore, 'rekey_fresh')).toBe(1);

      proxy.set(mode);
      const cutAt = performance.now();
      let refused: Awaited<ReturnType<typeof readyz>> | undefined;
      while (performance.now() - cutAt < 4000) {
        const answer = await readyz();
        if (answer.status !== 200) {
          refused = answer;
          break;
        }
        await sleep(20);
      }
      expect(refused, 'never refused').toBeDefined();
      const refusedAfterMs = refused!.at - cutAt;
      expect(refusedAfterMs).toBeLessThan(2000);
      expect(refused!.status).toBe(503);
      expect(refused!.body).toMatchObject({ status: 503, code: 'unavailable', type: '/problems/unavailable' });
      expect(['store_unreachable', 'freshness_unconfirmed']).toContain(refused!.body.reason);
      // /livez is about the process, not the database.
      expect((await fetch(`${node.url}/livez`)).status).toBe(200);
      // Metrics still answer while the database is away, and say so once the freshness window (1 s) has passed.
      await sleep(Math.max(0, cutAt + 1200 - performance.now()));
      const during = await scrape(node.url);
      expect(valueOf(during, 'rekey_fresh')).toBe(0);
      expect(valueOf(during, 'rekey_freshness_lag_seconds')).toBeGreaterThan(1);
      expect((await readyz()).body).toMatchObject({
        status: 503,
        reason: expect.stringMatching(/store_unreachable|freshness_unconfirmed/),
      });

      proxy.set('open');
      const openedAt = performance.now();
      let recoveredAfterMs = -1;
      while (performance.now() - openedAt < 15_000) {
        if ((await readyz()).status === 200) {
          recoveredAfterMs = performance.now() - openedAt;
          break;
        }
        await sleep(25);
      }
      expect(recoveredAfterMs, 'did not become ready again').toBeGreaterThanOrEqual(0);
      console.log(
        `readyz (${mode}): 503 (${String(refused!.body.reason)}) ${refusedAfterMs.toFixed(0)} ms after the cut; 200 again ${recoveredAfterMs.toFixed(0)} ms after the database returned`,
      );
    });
  }
});
