import type { CoreDeps } from '../core/kernel/index.js';
import {
  warnExpiringSecrets,
  DEFAULT_RETRY_POLICY,
  settleDelivery,
  type RetryPolicy,
  type OutboxMessage,
  webhookSecretAad,
} from '../core/notify/index.js';
import { signWebhook } from '../protocols/standard-webhooks.js';
import { createEmailSender, type EmailSender } from './email-sender.js';
import { postWebhook, type DeliveryOutcome } from './webhook-sender.js';
import { parseWebhookAllowList, resolveWebhookTarget, WebhookTargetRefused, type Resolver } from './webhook-target.js';

export interface OutboxWorkerOptions {
  /** How often to look for due messages when idle. */
  pollMs?: number;
  /** How long a leased message belongs to this worker; keep it above the 10 s delivery timeout. */
  leaseMs?: number;
  batchSize?: number;
  retry?: RetryPolicy;
  webhookTimeoutMs?: number;
  /** How often to look for secret versions about to expire (0 turns the scan off). */
  expiryScanMs?: number;
  /** For tests: a resolver other than the system's. */
  resolver?: Resolver;
  log?: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export interface OutboxWorkerStats {
  delivered: number;
  /** Attempts that failed (each retry counts once). */
  failed: number;
  /** Leases handed back unfinished at shutdown. */
  released: number;
}

export interface OutboxWorker {
  /** Leases and delivers one batch; returns how many messages it handled. */
  runOnce(): Promise<number>;
  stats(): OutboxWorkerStats;
  /**
   * Stops leasing, lets deliveries in flight finish for up to `drainMs` (default 2 s), then hands
   * the leases of those still unfinished back (SPEC §13), so another node delivers them at once
   * instead of after the lease runs out.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

/** While no SMTP server is configured, emails wait (without using up attempts) and are looked at again this often. */
const UNCONFIGURED_RECHECK_MS = 60_000;

/**
 * Delivers the outbox (SPEC §10): leases due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so several
 * nodes share the work), sends each — email via SMTP, webhooks signed with Standard Webhooks headers
 * — and only then marks it sent. A crash between the send and the mark leaves the row to be leased
 * again when its lease ends: delivery is at least once, and the Message-ID / webhook-id stay the
 * same so receivers can drop the duplicate. Failures wait with exponential back-off. The worker
 * also looks for secret versions about to expire and queues their `secret.expiring` notices.
 */
export function startOutboxWorker(
  deps: CoreDeps,
  config: { smtpUrl: string | null; webhookAllow: readonly string[] },
  options: OutboxWorkerOptions = {},
): OutboxWorker {
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 20;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const allow = parseWebhookAllowList(config.webhookAllow);
  const email: EmailSender | null = config.smtpUrl ? createEmailSender(config.smtpUrl) : null;
  const log = options.log;
  const stats: OutboxWorkerStats = { delivered: 0, failed: 0, released: 0 };
  const inFlight = new Map<string, OutboxMessage>();
  const released = new Set<string>();

  const deliverWebhook = async (message: OutboxMessage): Promise<DeliveryOutcome> => {
    const endpoint = await deps.store.getWebhook(message.recipient);
    if (!endpoint || endpoint.accountId !== message.accountId)
      return { ok: false, error: 'The webhook endpoint was removed.', permanent: true };
    let target;
    try {
      target = await resolveWebhookTarget(endpoint.url, allow, options.resolver);
    } catch (error) {
      return { ok: false, error: (error as Error).message, permanent: error instanceof WebhookTargetRefused };
    }
    const secret = deps.keyring.decrypt(endpoint.secretCiphertext, webhookSecretAad(endpoint.id));
    // The body is the same on every attempt; only the timestamp header (and so the signature) changes.
    const body = JSON.stringify({ type: message.type, timestamp: new Date(message.createdAt).toISOString(), data: message.payload });
    const headers = signWebhook(secret, message.id, Math.floor(deps.clock.now() / 1000), body);
    return postWebhook(target, { ...headers }, body, options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {});
  };

  const deliver = async (message: OutboxMessage): Promise<void> => {
    if (message.channel === 'email' && email === null) {
      await deps.store.settleOutbox(message.id, {
        status: 'pending',
        attempts: message.attempts,
        nextAttemptAt: deps.clock.now() + UNCONFIGURED_RECHECK_MS,
        lastError: 'No SMTP server is configured (REKEY_SMTP_URL); the message waits.',
        sentAt: null,
      });
      return;
    }
    let outcome: DeliveryOutcome;
    try {
      if (message.channel === 'email') {
        await email!.send(message);
        outcome = { ok: true };
      } else {
        outcome = await deliverWebhook(message);
      }
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message ?? String(error) };
    }
    // A kill here (test fault point) leaves a sent message unmarked: it is delivered again, same id.
    if (outcome.ok) deps.fault('after-send');
    // Handed back at shutdown: another node owns the message now; this late outcome is not recorded.
    if (released.has(message.id)) return;
    if (outcome.ok) stats.delivered++;
    else stats.failed++;
    const jitter = Buffer.from(deps.random.bytes(1))[0]! / 256;
    const settlement = settleDelivery(message, outcome, deps.clock.now(), retry, jitter);
    await deps.store.settleOutbox(message.id, settlement);
    const fields = {
      id: message.id,
      channel: message.channel,
      type: message.type,
      attempts: settlement.attempts,
      status: settlement.status,
    };
    if (outcome.ok) log?.info(fields, 'outbox message delivered');
    else log?.warn({ ...fields, error: settlement.lastError }, 'outbox delivery failed');
  };

  const runOnce = async (): Promise<number> => {
    const leased = await deps.store.leaseOutbox(deps.clock.now(), leaseMs, batchSize);
    await Promise.all(
      leased.map((message) => {
        inFlight.set(message.id, message);
        return deliver(message)
          .catch((error: Error) => {
            // The lease runs out and another attempt follows; nothing is lost.
            log?.warn({ id: message.id, error: error.message }, 'outbox settlement failed');
          })
          .finally(() => inFlight.delete(message.id));
      }),
    );
    return leased.length;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const expiryScanMs = options.expiryScanMs ?? 60_000;
  let scanning: Promise<unknown> = Promise.resolve();
  const scanTimer =
    expiryScanMs > 0
      ? setInterval(() => {
          scanning = warnExpiringSecrets(deps).catch((error: Error) => log?.warn({ error: error.message }, 'expiry scan failed'));
        }, expiryScanMs)
      : null;
  scanTimer?.unref();
  let running: Promise<void> = Promise.resolve();
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = runOnce().then(
        (handled) => schedule(handled >= batchSize ? 0 : pollMs),
        (error: Error) => {
          log?.warn({ error: error.message }, 'outbox lease failed');
          schedule(pollMs);
        },
      );
    }, delayMs);
    timer.unref();
  };
  schedule(0);

  const releaseUnfinished = async (): Promise<void> => {
    const unfinished = [...inFlight.values()];
    inFlight.clear();
    for (const message of unfinished) {
      released.add(message.id);
      // Back to pending exactly as it was leased, with the lease ended: the attempt never happened.
      await deps.store
        .settleOutbox(message.id, {
          status: 'pending',
          attempts: message.attempts,
          nextAttemptAt: message.nextAttemptAt,
          lastError: message.lastError,
          sentAt: null,
        })
        .then(
          () => {
            stats.released++;
            log?.info({ id: message.id }, 'outbox lease released at shutdown');
          },
          (error: Error) => log?.warn({ id: message.id, error: error.message }, 'outbox lease release failed; it ends on its own'),
        );
    }
  };

  return {
    runOnce,
    stats: () => ({ ...stats }),
    async stop(stopOptions = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (scanTimer) clearInterval(scanTimer);
      let drainTimer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        running.then(() => true),
        new Promise<boolean>((resolve) => (drainTimer = setTimeout(() => resolve(false), stopOptions.drainMs ?? 2000))),
      ]);
      clearTimeout(drainTimer);
      if (!drained) await releaseUnfinished();
      await scanning;
      email?.close();
    },
  };
}
