import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { systemClock, type Clock, type CoreDeps, type FaultPoint, newId, cryptoRandom } from './core/kernel/index.js';
import { maintainAuditChain } from './core/audit/index.js';
import { runScheduledRotations } from './core/rotation/index.js';
import { createCredentialCache, type CredentialCache, createUsageRecorder, type UsageRecorder } from './core/auth/index.js';
import { buildApp } from './http/build-app.js';
import { createOAuthRuntime } from './jose/index.js';
import { startOutboxWorker, type OutboxWorker } from './mail/index.js';
import type { ObservedSources } from './http/metrics.js';
import {
  createSqlStore,
  openKeyring,
  openPostgresChangeListener,
  openStore,
  recordedEventCounts,
  resolveMasterKey,
  startChangeFollower,
  type ChangeFollower,
  type OpenedStore,
} from './store/index.js';

export interface Runtime {
  config: Config;
  core: CoreDeps;
  usage: UsageRecorder;
  opened: OpenedStore;
  follower: ChangeFollower | null;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  warn?: (message: string) => void;
  clock?: Clock;
  /** Follow the change log and flush statistics in the background (servers do; one-shot CLI commands don't). */
  background?: boolean;
  schema?: string;
}

/** Starts the change-log follower; on PostgreSQL it listens for change notices on a connection of its own. */
async function followChanges(
  config: Config,
  options: RuntimeOptions,
  opened: OpenedStore,
  credentials: CredentialCache,
): Promise<ChangeFollower> {
  const listener =
    config.store.kind === 'postgres'
      ? openPostgresChangeListener(config.store.url, options.schema ? { schema: options.schema } : {})
      : null;
  try {
    return await startChangeFollower(opened.store, credentials, {
      ...(opened.dataVersion ? { dataVersion: opened.dataVersion } : {}),
      ...(listener ? { notices: { source: createSqlStore(listener.db), onNotify: listener.onNotify, close: listener.close } } : {}),
    });
  } catch (error) {
    await listener?.close();
    throw error;
  }
}

/**
 * How often a node writes the usage statistics it batched (SPEC §9: at least every 5 s). Each flush
 * writes one row per version used since the last, so the longest interval SPEC allows writes the
 * fewest rows when many clients are in use (a version used every second is written once, not five times).
 */
export const USAGE_FLUSH_INTERVAL_MS = 5000;

/** The composition root: config → store → keys → core (→ the app: createApp). */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const clock = options.clock ?? systemClock;
  const masterKey = resolveMasterKey(config, warn);
  const opened = await openStore(config.store, options.schema ? { schema: options.schema } : {});
  let keyring;
  try {
    keyring = await openKeyring(opened.store, masterKey, cryptoRandom);
  } catch (error) {
    await opened.store.close();
    throw error;
  }
  const background = options.background ?? false;
  const credentials = createCredentialCache(opened.store, keyring, { alwaysFresh: !background });
  const fault = (point: FaultPoint): void => {
    if (config.fault === point) process.kill(process.pid, 'SIGKILL');
  };
  const core: CoreDeps = { store: opened.store, clock, random: cryptoRandom, keyring, credentials, fault };
  const usage = createUsageRecorder();
  const follower = background ? await followChanges(config, options, opened, credentials) : null;
  const flush = async (): Promise<void> => {
    await usage.flush(opened.store, () => newId('evt', cryptoRandom)).catch(() => undefined);
  };
  const timers: NodeJS.Timeout[] = [];
  if (background) {
    timers.push(setInterval(() => void flush(), USAGE_FLUSH_INTERVAL_MS));
    timers.push(setInterval(() => void opened.store.purgeExpired(clock.now()).catch(() => undefined), 60_000));
    // The audit chain's settled aggregates and hourly checkpoints (SPEC §12); the first run, before
    // serving, also links rows written before the chain existed.
    await maintainAuditChain(core).catch(() => undefined);
    timers.push(setInterval(() => void maintainAuditChain(core).catch(() => undefined), 60_000));
    // Scheduled rotation (SPEC §12): every node looks each minute; each due date is acted on once.
    // A pass still going when the next minute comes is not doubled on this node.
    let passing = false;
    const rotations = (): void => {
      if (passing) return;
      passing = true;
      void runScheduledRotations(core)
        .catch((error: Error) => warn(`the rotation scheduler's pass failed: ${error.message}`))
        .finally(() => (passing = false));
    };
    rotations();
    timers.push(setInterval(rotations, 60_000));
    for (const timer of timers) timer.unref();
  }
  return {
    config,
    core,
    usage,
    opened,
    follower,
    flush,
    async close() {
      for (const timer of timers) clearInterval(timer);
      await follower?.stop();
      await flush();
      await opened.store.close();
    },
  };
}

/**
 * The HTTP app over a runtime, with the OAuth runtime (signing keys, verified tokens, revocations)
 * that the /oauth endpoints and Bearer authentication share.
 */
export async function createApp(
  runtime: Runtime,
  options: { logStream?: NodeJS.WritableStream; observed?: ObservedSources } = {},
): Promise<FastifyInstance> {
  const { config, core, usage } = runtime;
  // The signing keys are first loaded once the app is ready, so a rotation always finds its logger.
  let log: FastifyBaseLogger | undefined = undefined;
  const oauth = createOAuthRuntime(core, {
    issuer: config.publicUrl,
    tokenTtlSeconds: config.accessTokenTtlSeconds,
    // The first "rotation" of a new deployment creates its keys; later ones retire the active key.
    onScheduledRotation: (active, retired) =>
      log?.info(
        { kid: active.kid, alg: active.alg, retired: retired.map((key) => key.kid) },
        retired.length > 0 ? 'signing key rotated on schedule' : 'signing keys created',
      ),
  });
  const observed: ObservedSources = { events: recordedEventCounts, ...options.observed };
  const app = await buildApp({ core, usage, config, oauth, logStream: options.logStream, observed });
  log = app.log;
  return app;
}

/** `rekey serve`: the API, OAuth endpoints and console on one port. */
export async function serve(
  config: Config,
  options: RuntimeOptions = {},
): Promise<{ app: FastifyInstance; runtime: Runtime; url: string }> {
  const runtime = await createRuntime(config, { ...options, background: true });
  let outbox: OutboxWorker | null = null;
  const app = await createApp(runtime, { observed: { outbox: () => outbox?.stats() ?? { delivered: 0, failed: 0, released: 0 } } });
  outbox = startOutboxWorker(runtime.core, config, { leaseMs: config.outboxLeaseSeconds * 1000, log: app.log });
  const worker = outbox;
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info({ address, store: config.store.kind, publicUrl: config.publicUrl }, 'Rekey is listening');
  // SPEC §13: stop accepting, let requests in flight finish (the app gives them 10 s), hand back
  // outbox leases still in delivery, then close the store.
  const stop = async (): Promise<void> => {
    app.log.info('SIGTERM: no new connections; finishing requests in flight');
    await Promise.all([app.close(), worker.stop()]);
    await runtime.close();
    app.log.info('stopped');
  };
  const onSignal = (): void => {
    void stop()
      .catch((error: Error) => app.log.error({ err: { message: error.message } }, 'shutdown step failed'))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { app, runtime, url: address };
}
