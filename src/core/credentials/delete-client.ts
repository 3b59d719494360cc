import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { loadClient } from './load-client.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import { revokeVersion } from './rotate-secret.js';
import { revokeIssuedTokens } from '../oauth/token-revocations.js';

/** Delete (SPEC §3): every version revoked; the record stays, state `deleted`, for audit. */
export async function deleteClient(deps: CoreDeps, caller: Caller, clientId: string): Promise<void> {
  await requirePermission(deps, caller, 'credentials.manage', 'delete a client', { clientId });
  await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await loadClient(tx, caller.accountId, clientId);
    if (client.state === 'deleted') return;
    const now = deps.clock.now();
    for (const version of await tx.listVersions(client.id)) {
      if (version.state !== 'revoked') await tx.updateVersion(revokeVersion(version, now));
    }
    await revokeIssuedTokens(deps, tx, client, await tx.listVersions(client.id), { now, actor: caller.actor });
    await tx.updateClient({ ...client, state: 'deleted', deletedAt: now, updatedAt: now });
    await tx.recordChange(client.id, now);
    await recordAudit(deps, tx, { accountId: client.accountId, type: 'client.deleted', actor: caller.actor, clientId: client.id });
  });
  deps.credentials.invalidate(clientId);
}
