import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../core/kernel/index.js';
import type { VerificationTally } from './verification-tally.js';

/** What /metrics reads from outside the app when it is scraped; absent sources report nothing. */
export interface ObservedSources {
  outbox?: () => { delivered: number; failed: number; released: number };
  /** Audit event type → how many this node recorded (rotations and lockouts). */
  events?: () => ReadonlyMap<string, number>;
}

/** Audit event types that are rotations, and the `kind` label each gets. */
const ROTATION_KINDS: ReadonlyArray<[string, string]> = [
  ['secret.regenerated', 'regenerate'],
  ['client.reset', 'reset'],
  ['bundle.reset', 'bundle_reset'],
  ['signing_key.rotated', 'signing_key'],
  ['master_key.rotated', 'master_key'],
];

/** A scrape never waits on a database that does not answer for longer than this. */
const BACKLOG_TIMEOUT_MS = 500;

/**
 * The node's Prometheus registry (SPEC §13). Every series is prefixed `rekey_` and labelled only
 * with closed sets — method, outcome code, route template, status — never an account, client or
 * member id. Counters kept elsewhere as plain integers (verifications on the hot path, the cache,
 * the outbox worker) are read when scraped, so counting costs the hot path one integer increment.
 */
export function createMetrics(core: CoreDeps, verifications: VerificationTally, observed: ObservedSources = {}): Registry {
  const registry = new Registry();
  const cache = core.credentials;

  new Counter({
    name: 'rekey_verifications_total',
    help: 'Data-plane credential verifications by method and outcome code ("ok" when verified).',
    labelNames: ['method', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, count] of verifications.snapshot()) {
        const bar = key.indexOf('|');
        this.inc({ method: key.slice(0, bar), code: key.slice(bar + 1) }, count);
      }
    },
  });
  const cacheCounter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  cacheCounter('rekey_credential_cache_hits_total', 'Verifications answered from the credential cache.', () => cache.stats().hits);
  cacheCounter('rekey_credential_cache_misses_total', 'Verifications that read the store.', () => cache.stats().misses);
  cacheCounter('rekey_credential_cache_invalidations_total', 'Cache entries dropped by the change log.', () => cache.stats().invalidations);
  new Gauge({
    name: 'rekey_credential_cache_entries',
    help: 'Clients (and known-unknown ids) held in the credential cache.',
    registers: [registry],
    collect() {
      this.set(cache.stats().entries);
    },
  });
  new Gauge({
    name: 'rekey_freshness_lag_seconds',
    help: 'Seconds since this node last confirmed its cache against the change log; above 1 it refuses cached credentials (SPEC §9).',
    registers: [registry],
    collect() {
      const ageMs = cache.freshnessAgeMs();
      this.set(Number.isFinite(ageMs) ? Math.max(0, ageMs) / 1000 : -1);
    },
  });
  new Gauge({
    name: 'rekey_fresh',
    help: '1 while the node can confirm freshness, 0 otherwise.',
    registers: [registry],
    collect() {
      this.set(cache.isFresh(core.clock.now()) ? 1 : 0);
    },
  });
  new Counter({
    name: 'rekey_rotations_total',
    help: 'Rotations this node recorded, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      const events = observed.events?.();
      for (const [type, kind] of ROTATION_KINDS) this.inc({ kind }, events?.get(type) ?? 0);
    },
  });
  new Counter({
    name: 'rekey_lockouts_total',
    help: 'Key accounts this node locked after too many failed attempts.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(observed.events?.().get('client.locked') ?? 0);
    },
  });
  new Gauge({
    name: 'rekey_outbox_backlog',
    help: 'Outbox messages waiting for delivery (all nodes; the last count when the store does not answer within 0.5 s).',
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const counted = core.store.countPendingOutbox().catch(() => null);
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), BACKLOG_TIMEOUT_MS)));
      const backlog = await Promise.race([counted, timeout]);
      clearTimeout(timer);
      // When the store does not answer, the last count stands (rekey_fresh says why).
      if (backlog !== null) this.set(backlog);
    },
  });
  new Counter({
    name: 'rekey_outbox_deliveries_total',
    help: 'Outbox delivery attempts by this node, by outcome (delivered, failed, released at shutdown).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      const stats = observed.outbox?.() ?? { delivered: 0, failed: 0, released: 0 };
      this.inc({ outcome: 'delivered' }, stats.delivered);
      this.inc({ outcome: 'failed' }, stats.failed);
      this.inc({ outcome: 'released' }, stats.released);
    },
  });
  return registry;
}

/**
 * `rekey_http_request_duration_seconds` for requests the framework answers. Basic whoami answered
 * in front of the framework (whoami-fast-path.ts) is counted in `rekey_verifications_total` only:
 * an observation per request there would cost the hot path more than the request itself.
 */
export function observeRequestDurations(app: FastifyInstance, registry: Registry): void {
  const durations = new Histogram({
    name: 'rekey_http_request_duration_seconds',
    help: 'Time to answer, by method, route template and status (requests the framework answers).',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    durations.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
