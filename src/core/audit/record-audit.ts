import type { Actor, AuditEvent, EventType } from './audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { newId } from '../kernel/new-id.js';
import type { Store } from '../kernel/store.js';
import { auditSealOf } from './audit-link.js';

export interface AuditInput {
  accountId: string;
  type: EventType;
  actor: Actor;
  clientId?: string | null;
  versionId?: string | null;
  data?: Record<string, unknown>;
}

/** Appends one audit event through `store` (pass the transaction to make it part of the change), linked into its account's chain. */
export async function recordAudit(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  store: Store,
  input: AuditInput,
): Promise<AuditEvent> {
  const event: AuditEvent = {
    id: newId('evt', deps.random),
    accountId: input.accountId,
    at: deps.clock.now(),
    type: input.type,
    actor: input.actor,
    clientId: input.clientId ?? null,
    versionId: input.versionId ?? null,
    code: null,
    count: 1,
    data: input.data ?? {},
  };
  await store.insertAuditEvent(event, auditSealOf(deps.keyring));
  return event;
}
