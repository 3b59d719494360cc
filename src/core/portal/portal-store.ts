import type { OutboxMessage } from '../notify/outbox-message.js';

/** Store port: Registration, sandboxes, signed URLs, webhooks and outbox delivery. */
export interface PortalStore {
  /**
   * Leases up to `limit` pending messages that are due (`nextAttemptAt <= now`) and not leased by
   * another worker (no lease, or one that ended by `now`): sets `leaseUntil = now + leaseMs` and
   * returns them, oldest due first. Concurrent callers — other workers, other nodes — never get the
   * same message while its lease runs (SPEC §10).
   */
  leaseOutbox(now: number, leaseMs: number, limit: number): Promise<OutboxMessage[]>;
}
