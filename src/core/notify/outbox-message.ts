import type { EventType } from '../audit/audit-event.js';

export type OutboxChannel = 'email' | 'webhook';
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A notification written in the event's own transaction, delivered at least once later (SPEC §10). */
export interface OutboxMessage {
  id: string;
  accountId: string;
  type: EventType;
  channel: OutboxChannel;
  /** Email address or webhook endpoint id. */
  recipient: string;
  /** Rendered content: names the account, client and version; never a secret. */
  payload: Record<string, unknown>;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}
