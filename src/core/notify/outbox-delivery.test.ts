import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY_POLICY, messageIdOf, settleDelivery } from './outbox-delivery.js';

describe('outbox delivery rules', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 5 };

  it('backs off exponentially up to the cap, with at most 20 % jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => backoffMs(attempts, policy))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffMs(2, policy, 0.999)).toBeLessThanOrEqual(2400);
    expect(backoffMs(200, DEFAULT_RETRY_POLICY)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it('marks a delivery sent, retries a failure later, and gives up after the last attempt or a permanent error', () => {
    expect(settleDelivery({ attempts: 0 }, { ok: true }, 100, policy)).toEqual({
      status: 'sent',
      attempts: 1,
      nextAttemptAt: 100,
      lastError: null,
      sentAt: 100,
    });
    expect(settleDelivery({ attempts: 1 }, { ok: false, error: 'ECONNREFUSED' }, 100, policy)).toEqual({
      status: 'pending',
      attempts: 2,
      nextAttemptAt: 2100,
      lastError: 'ECONNREFUSED',
      sentAt: null,
    });
    expect(settleDelivery({ attempts: 4 }, { ok: false, error: 'down' }, 100, policy).status).toBe('failed');
    expect(settleDelivery({ attempts: 0 }, { ok: false, error: 'refused', permanent: true }, 100, policy).status).toBe('failed');
    expect(settleDelivery({ attempts: 0 }, { ok: false, error: 'x'.repeat(2000) }, 100, policy).lastError).toHaveLength(500);
  });

  it('derives a stable Message-ID from the outbox id', () => {
    expect(messageIdOf('msg_abc')).toBe('<msg_abc@rekey.outbox>');
  });
});
