import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import type { Permission } from './permissions.js';
import { recordAudit } from '../audit/record-audit.js';

/** Refuses with 403 `forbidden` — and audits the attempt — unless the caller holds `permission`. */
export async function requirePermission(
  deps: CoreDeps,
  caller: Caller,
  permission: Permission,
  action: string,
  target: { clientId?: string } = {},
): Promise<void> {
  if (caller.permissions.has(permission)) return;
  await recordAudit(deps, deps.store, {
    accountId: caller.accountId,
    type: 'permission.denied',
    actor: caller.actor,
    clientId: target.clientId ?? null,
    data: { action, permission },
  });
  throw new RekeyError('forbidden', `This action (${action}) needs the ${permission} permission.`, { permission });
}
