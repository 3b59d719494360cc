import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { RekeyError } from '../../core/kernel/index.js';
import type { AppDeps } from '../app-deps.js';

/** How long /readyz waits for the store before calling it unreachable. */
const STORE_PROBE_TIMEOUT_MS = 1000;

type StoreAnswer = 'ok' | 'error' | 'timeout';

async function probeStore(deps: AppDeps): Promise<StoreAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const read = deps.core.store.latestChange().then(
    (): StoreAnswer => 'ok',
    (): StoreAnswer => 'error',
  );
  const timeout = new Promise<StoreAnswer>((resolve) => (timer = setTimeout(() => resolve('timeout'), STORE_PROBE_TIMEOUT_MS)));
  const answer = await Promise.race([read, timeout]);
  clearTimeout(timer);
  return answer;
}

/**
 * The probes and metrics (SPEC §13), public like a load balancer needs them and revealing no
 * account's data: `/livez` (the process answers), `/readyz` (the store answers and freshness is
 * confirmed, SPEC §9), `/healthz` (kept for existing probes: status and freshness only) and
 * `/metrics` (Prometheus text format).
 */
export function registerProbeRoutes(app: FastifyInstance, deps: AppDeps, registry: Registry): void {
  const config = { auth: 'none' as const, accessLog: 'debug' as const };
  app.get('/livez', { schema: { hide: true }, config }, async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', { schema: { hide: true }, config }, async (_request, reply) => {
    // Freshness first: it costs nothing, and a node past its window need not wait on the store.
    if (!deps.core.credentials.isFresh(deps.core.clock.now()))
      throw new RekeyError('unavailable', 'This node cannot confirm its cache is current (SPEC §9).', {
        reason: 'freshness_unconfirmed',
      });
    const store = await probeStore(deps);
    if (store !== 'ok')
      throw new RekeyError(
        'unavailable',
        store === 'timeout'
          ? `The store did not answer within ${STORE_PROBE_TIMEOUT_MS} ms.`
          : 'The store refused the connection or the query failed.',
        { reason: 'store_unreachable' },
      );
    void reply.header('cache-control', 'no-store');
    return { status: 'ready', fresh: true };
  });

  // Older probes read this; the cache counters it used to show are on /metrics now.
  app.get('/healthz', { schema: { hide: true }, config }, async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok', fresh: deps.core.credentials.isFresh(deps.core.clock.now()) };
  });

  app.get('/metrics', { schema: { hide: true }, config }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
