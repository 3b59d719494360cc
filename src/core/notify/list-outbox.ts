import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { OutboxMessage, OutboxStatus } from './outbox-message.js';

export interface OutboxFilter {
  type?: string;
  status?: OutboxStatus;
  limit: number;
}

/** GET /v1/outbox, `rekey outbox list`: the account's queued and delivered notifications. */
export async function listOutbox(deps: CoreDeps, caller: Caller, filter: OutboxFilter): Promise<OutboxMessage[]> {
  await requirePermission(deps, caller, 'accounts.manage', 'read the outbox');
  return deps.store.listOutbox(caller.accountId, filter);
}
