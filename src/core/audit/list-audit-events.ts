import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import type { Page } from '../kernel/page.js';
import type { AuditFilter } from './audit-store.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { AuditEvent } from './audit-event.js';

/** GET /v1/audit, `rekey audit list`: the account's audit events, newest first. */
export async function listAuditEvents(deps: CoreDeps, caller: Caller, filter: AuditFilter): Promise<Page<AuditEvent>> {
  await requirePermission(deps, caller, 'audit.read', 'read the audit log');
  return deps.store.listAuditEvents(caller.accountId, filter);
}
