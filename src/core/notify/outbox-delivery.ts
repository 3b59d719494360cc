import type { OutboxMessage } from './outbox-message.js';
import type { OutboxSettlement } from './notify-store.js';

/** How the outbox retries (SPEC §10): exponential back-off from `baseDelayMs`, capped, for `maxAttempts`. */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/** 10 s, 20 s, 40 s … capped at one hour: 20 attempts span about 11 hours before a message fails. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 3_600_000, maxAttempts: 20 };

/** The wait after the `attempts`-th failed attempt (1-based). `jitter` in [0, 1) spreads retries of many messages. */
export function backoffMs(attempts: number, policy: RetryPolicy, jitter = 0): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30));
  const capped = Math.min(exponential, policy.maxDelayMs);
  return Math.round(capped * (1 + 0.2 * jitter));
}

/** After a delivery: sent, or pending again after a back-off, or failed for good. */
export function settleDelivery(
  message: Pick<OutboxMessage, 'attempts'>,
  outcome: { ok: true } | { ok: false; error: string; permanent?: boolean },
  now: number,
  policy: RetryPolicy,
  jitter = 0,
): OutboxSettlement {
  const attempts = message.attempts + 1;
  if (outcome.ok) return { status: 'sent', attempts, nextAttemptAt: now, lastError: null, sentAt: now };
  const error = outcome.error.slice(0, 500);
  if (outcome.permanent === true || attempts >= policy.maxAttempts) {
    return { status: 'failed', attempts, nextAttemptAt: now, lastError: error, sentAt: null };
  }
  return { status: 'pending', attempts, nextAttemptAt: now + backoffMs(attempts, policy, jitter), lastError: error, sentAt: null };
}

/** The stable Message-ID of an email: derived from the outbox id, so every retry carries the same one. */
export function messageIdOf(outboxId: string): string {
  return `<${outboxId}@rekey.outbox>`;
}
