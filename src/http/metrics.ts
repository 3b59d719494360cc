import { Counter, Gauge, Registry } from 'prom-client';
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

const DURATION_HELP = 'Time to answer, by method, route template and status (requests the framework answers).';
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One (method, route, status) series: counts per bucket (not cumulative), sum and count. */
interface DurationSeries {
  status: number;
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** Observes one route's answers; the onResponse hook the app attaches to each route calls it. */
export type RouteDurations = (statusCode: number, elapsedMs: number) => void;

/**
 * `rekey_http_request_duration_seconds` for requests the framework answers (SPEC §13). Each route
 * gets its own observer when it is declared, holding its series by status, so an observation is a
 * short bucket search and three increments: no label object, no key string, no hashing per request
 * (a general-purpose histogram's observe costs the token endpoint a measurable share). A whoami
 * success answered in front of the framework (whoami-fast-path.ts) is counted in
 * `rekey_verifications_total` only. The registry formats the series when scraped.
 */
export function createRouteDurations(registry: Registry): (method: string, route: string) => RouteDurations {
  const routes: Array<{ method: string; route: string; series: DurationSeries[] }> = [];
  registry.registerMetric({
    name: 'rekey_http_request_duration_seconds',
    help: DURATION_HELP,
    type: 'histogram',
    aggregator: 'sum',
    get: () => {
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      for (const { method, route, series } of routes) {
        for (const { status, buckets, sum, count } of series) {
          const labels = { method, route, status: String(status) };
          let cumulative = 0;
          DURATION_BUCKETS.forEach((le, index) => {
            cumulative += buckets[index]!;
            values.push({ labels: { ...labels, le }, value: cumulative, metricName: 'rekey_http_request_duration_seconds_bucket' });
          });
          values.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: 'rekey_http_request_duration_seconds_bucket' });
          values.push({ labels, value: sum, metricName: 'rekey_http_request_duration_seconds_sum' });
          values.push({ labels, value: count, metricName: 'rekey_http_request_duration_seconds_count' });
        }
      }
      return { name: 'rekey_http_request_duration_seconds', help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
    },
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  return (method, route) => {
    const series: DurationSeries[] = [];
    routes.push({ method, route, series });
    return (statusCode, elapsedMs) => {
      let found: DurationSeries | undefined;
      for (let i = 0; i < series.length; i++) {
        if (series[i]!.status === statusCode) {
          found = series[i];
          break;
        }
      }
      if (found === undefined) {
        found = { status: statusCode, buckets: new Float64Array(DURATION_BUCKETS.length), sum: 0, count: 0 };
        series.push(found);
      }
      const seconds = elapsedMs / 1000;
      let bucket = 0;
      while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
      if (bucket < DURATION_BUCKETS.length) found.buckets[bucket]!++;
      found.sum += seconds;
      found.count++;
    };
  };
}
