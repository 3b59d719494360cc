import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { notFound } from '../kernel/errors.js';
import { loadClient } from './load-client.js';
import { recordAudit } from '../audit/record-audit.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { requirePermission } from '../accounts/require-permission.js';
import { revokeVersion } from './rotate-secret.js';
import { viewVersion, type VersionView } from './secret-version.js';

/** Kills one version at once (e.g. after a compromise): refused with `revoked` from then on. */
export async function revokeSecretVersion(deps: CoreDeps, caller: Caller, clientId: string, versionId: string): Promise<VersionView> {
  await requirePermission(deps, caller, 'credentials.manage', 'revoke a secret version', { clientId });
  const view = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await loadClient(tx, caller.accountId, clientId);
    const now = deps.clock.now();
    const version = (await tx.listVersions(client.id)).find((candidate) => candidate.id === versionId);
    if (!version) throw notFound('secret version', versionId);
    const revoked = revokeVersion(version, now);
    await tx.updateVersion(revoked);
    await tx.recordChange(client.id, now);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'secret.revoked',
      actor: caller.actor,
      clientId: client.id,
      versionId,
    });
    await notifyAdministrators(deps, tx, client.accountId, 'secret.revoked', {
      subject: `Secret version revoked for ${client.name}`,
      text: `Secret version ${versionId} of client ${client.id} (${client.name}) in account ${client.accountId} was revoked.`,
      clientId: client.id,
      versionId,
    });
    return viewVersion(revoked, now);
  });
  deps.credentials.invalidate(clientId);
  return view;
}
