import type { Page } from '../kernel/page.js';
import type { AuditEvent } from './audit-event.js';
import type { AuditSeal, ChainLink, ChainedAuditEvent } from './audit-link.js';

export interface AuditFilter {
  type?: string;
  clientId?: string;
  since?: number;
  until?: number;
  cursor?: string;
  limit: number;
}

export interface FailureAggregate {
  accountId: string;
  clientId: string;
  versionId: string | null;
  code: string;
  minute: number;
  count: number;
}

/** One failed password check (SPEC §11), counted into the aggregated `signin.failed` event. */
export interface SignInFailure {
  accountId: string;
  /** The member the email named; null for an unknown email. */
  memberId: string | null;
  purpose: 'sign-in' | 'registration';
  minute: number;
}

/** The newest link of an account's chain, and what was last published of it. */
export interface AuditHead extends ChainLink {
  checkpointSeq: number;
  checkpointAt: number;
}

/**
 * Store port: the audit log: events appended one by one, or counted into per-minute aggregates,
 * each account's events linked in a hash chain (SPEC §12) under a head row that serialises them.
 */
export interface AuditStore {
  /**
   * Appends an event and links it to its account's chain in the same transaction: the head is
   * locked, so concurrent writers (other nodes included) take consecutive positions, never a gap.
   */
  insertAuditEvent(event: AuditEvent, seal: AuditSeal): Promise<void>;
  /**
   * Links the events not chained yet whose `at` is before `before` — aggregates whose minute has
   * settled, and rows written before the chain existed — per account in (at, id) order. Returns how many.
   */
  chainPendingAuditEvents(before: number, seal: AuditSeal): Promise<number>;
  /** Chained events with a position after `afterSeq`, in chain order. */
  listChainedAuditEvents(accountId: string, afterSeq: number, limit: number): Promise<ChainedAuditEvent[]>;
  countUnchainedAuditEvents(accountId: string): Promise<number>;
  /** Events not chained yet (aggregates of the last minutes), oldest first. */
  listUnchainedAuditEvents(accountId: string, limit: number): Promise<AuditEvent[]>;
  getAuditHead(accountId: string): Promise<AuditHead | null>;
  /** Heads with links not published yet and no publication since `publishedBefore`. */
  listAuditHeadsToCheckpoint(publishedBefore: number, limit: number): Promise<Array<AuditHead & { accountId: string }>>;
  /**
   * Records that the head at `seq` was published at `at`, unless it was published at or after
   * `seq`, or since `publishedBefore` (another node won). True when this call recorded it.
   */
  markAuditCheckpoint(accountId: string, seq: number, at: number, publishedBefore: number): Promise<boolean>;
  /** Adds to the `auth.failed` event of each (client, version, code, minute) while it is not chained yet. */
  addFailureAggregates(aggregates: readonly FailureAggregate[], newId: () => string): Promise<void>;
  /** Adds one to the `signin.failed` event of (account, member, purpose, minute). */
  addSignInFailure(failure: SignInFailure, newId: () => string): Promise<void>;
  /** Newest first. */
  listAuditEvents(accountId: string, filter: AuditFilter): Promise<Page<AuditEvent>>;
}
