import type { Page } from '../kernel/page.js';
import type { AuditEvent } from './audit-event.js';

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

/** Store port: the audit log: events appended one by one, or counted into per-minute aggregates. */
export interface AuditStore {
  insertAuditEvent(event: AuditEvent): Promise<void>;
  /** Adds to the `auth.failed` event of each (client, version, code, minute). */
  addFailureAggregates(aggregates: readonly FailureAggregate[], newId: () => string): Promise<void>;
  /** Adds one to the `signin.failed` event of (account, member, purpose, minute). */
  addSignInFailure(failure: SignInFailure, newId: () => string): Promise<void>;
  /** Newest first. */
  listAuditEvents(accountId: string, filter: AuditFilter): Promise<Page<AuditEvent>>;
}
