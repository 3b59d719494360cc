import { timingSafeEqual } from 'node:crypto';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { AuditEvent } from './audit-event.js';
import { auditSealOf, type ChainedAuditEvent } from './audit-link.js';

/** How long after its minute an aggregated event (`auth.failed`, `signin.failed`) may still grow before it is chained. */
export const AGGREGATE_SETTLE_MS = 2 * 60_000;

/** How often at most an account's chain head is published as the `audit.checkpoint` webhook. */
export const CHECKPOINT_INTERVAL_MS = 3600_000;

/** The answer of `GET /v1/audit/verify` and `rekey audit verify`. */
export interface AuditVerification {
  valid: boolean;
  /** Chained events checked. */
  events: number;
  /** The first event whose hash or position does not follow from the one before it. */
  firstBrokenEventId?: string;
  /** Why the chain is invalid: `hash` (an event was edited or moved), `gap` (an event before it is missing), `head` (events at the end are missing). */
  reason?: 'hash' | 'gap' | 'head';
  /** Aggregated events of the last minutes, not chained yet. */
  pending: number;
}

const CHAIN_PAGE = 1000;

const sameHash = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Recomputes the caller's account chain from its first event (SPEC §12). An edited, deleted,
 * inserted or reordered row breaks the link at the first event whose stored hash no longer follows;
 * events missing at the end show against the chain head, which the store keeps apart (and which the
 * `audit.checkpoint` webhook publishes outside it).
 */
export async function verifyAuditChain(deps: CoreDeps, caller: Caller): Promise<AuditVerification> {
  await requirePermission(deps, caller, 'audit.read', 'verify the audit log');
  const seal = auditSealOf(deps.keyring);
  const accountId = caller.accountId;
  let previous = '';
  let events = 0;
  let broken: Pick<AuditVerification, 'firstBrokenEventId' | 'reason'> | null = null;
  for await (const event of chainedEvents(deps, accountId)) {
    if (event.seq !== events + 1) broken = { firstBrokenEventId: event.id, reason: 'gap' };
    else if (!sameHash(seal(previous, event, event.seq), event.hash)) broken = { firstBrokenEventId: event.id, reason: 'hash' };
    if (broken) break;
    previous = event.hash;
    events++;
  }
  const pending = await deps.store.countUnchainedAuditEvents(accountId);
  if (broken) return { valid: false, events, ...broken, pending };
  const head = await deps.store.getAuditHead(accountId);
  if (head !== null && (head.seq !== events || !sameHash(head.hash, previous))) return { valid: false, events, reason: 'head', pending };
  return { valid: true, events, pending };
}

/** An account's chained events in chain order, read page by page (one page in memory at a time). */
async function* chainedEvents(deps: CoreDeps, accountId: string): AsyncGenerator<ChainedAuditEvent> {
  let after = 0;
  for (;;) {
    const page = await deps.store.listChainedAuditEvents(accountId, after, CHAIN_PAGE);
    yield* page;
    if (page.length < CHAIN_PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}

/** One line of the NDJSON export: every stored field, with the chain link (null until chained). */
export type ExportedAuditEvent = AuditEvent & { seq: number | null; hash: string | null };

/** Unchained events exported at most; they are the aggregates of the last minutes. */
const EXPORT_UNCHAINED_LIMIT = 10_000;

/**
 * `GET /v1/audit?format=ndjson`: the whole log for a SIEM, in chain order, then the events not
 * chained yet; read page by page so an export of any size holds one page in memory.
 */
export async function* exportAuditEvents(deps: CoreDeps, caller: Caller): AsyncGenerator<ExportedAuditEvent> {
  await requirePermission(deps, caller, 'audit.read', 'export the audit log');
  yield* chainedEvents(deps, caller.accountId);
  for (const event of await deps.store.listUnchainedAuditEvents(caller.accountId, EXPORT_UNCHAINED_LIMIT))
    yield { ...event, seq: null, hash: null };
}
