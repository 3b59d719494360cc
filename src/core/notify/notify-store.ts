import type { EventType } from '../audit/audit-event.js';
import type { SecretVersion } from '../credentials/secret-version.js';
import type { OutboxMessage, OutboxStatus } from './outbox-message.js';

/** A URL an account registered for signed webhooks (SPEC §10). */
export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  /** The event types it receives. */
  events: EventType[];
  /** The `whsec_…` signing secret, AES-256-GCM under the data key (AAD = webhookSecretAad(id)). */
  secretCiphertext: string;
  createdAt: number;
}

/** The outcome of one delivery attempt, written after the attempt. */
export interface OutboxSettlement {
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
}

/** Store port: the outbox and its delivery, webhook endpoints, and expiry warnings. */
export interface NotifyStore {
  insertOutbox(message: OutboxMessage): Promise<void>;
  listOutbox(accountId: string, filter: { type?: string; status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]>;
  /**
   * Leases up to `limit` pending messages that are due (`nextAttemptAt <= now`) and not leased by
   * another worker (no lease, or one that ended by `now`): sets `leaseUntil = now + leaseMs` and
   * returns them, oldest due first. Concurrent callers — other workers, other nodes — never get the
   * same message while its lease runs (SPEC §10).
   */
  leaseOutbox(now: number, leaseMs: number, limit: number): Promise<OutboxMessage[]>;
  /** Records a delivery attempt's outcome and ends the lease. */
  settleOutbox(id: string, settlement: OutboxSettlement): Promise<void>;
  /** Pending messages across all accounts, for the `rekey_outbox_backlog` gauge (SPEC §13). */
  countPendingOutbox(): Promise<number>;

  insertWebhook(endpoint: WebhookEndpoint): Promise<void>;
  getWebhook(id: string): Promise<WebhookEndpoint | null>;
  listWebhooks(accountId: string): Promise<WebhookEndpoint[]>;
  deleteWebhook(id: string): Promise<void>;

  /** Current or previous versions expiring in (from, until] that were not warned about yet, soonest first. */
  listExpiringVersions(from: number, until: number, limit: number): Promise<SecretVersion[]>;
  /** Records that a version's expiry was announced; false when another node already did. */
  claimExpiryWarning(versionId: string, at: number): Promise<boolean>;
}
