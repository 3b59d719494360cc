import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { requirePermission } from '../accounts/require-permission.js';
import { recordAudit } from '../audit/record-audit.js';
import { loadClient } from '../credentials/load-client.js';
import { viewClient, type ClientView } from '../credentials/client-view.js';
import { lockedSourcesOf } from '../credentials/locked-sources-of.js';
import { maxGraceSeconds } from '../credentials/max-grace-seconds.js';
import type { Client } from '../credentials/client.js';
import { checkRotationPolicy, type RotationPolicyInput } from '../credentials/check-rotation-policy.js';

/**
 * PUT / DELETE /v1/clients/{id}/rotation-policy, `rekey clients rotation-policy`: sets or removes a
 * client's scheduled rotation, audited as `client.updated`. The due date counts from the current
 * secret's issue, so a policy set on an old secret is due at once.
 */
export async function setRotationPolicy(
  deps: CoreDeps,
  caller: Caller,
  clientId: string,
  input: RotationPolicyInput | null,
): Promise<ClientView> {
  await requirePermission(deps, caller, 'credentials.manage', input ? 'set a rotation policy' : 'remove a rotation policy', { clientId });
  const maxGrace = await maxGraceSeconds(deps, caller.accountId, 'control');
  return deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await loadClient(tx, caller.accountId, clientId);
    const policy = input ? checkRotationPolicy(client, input, maxGrace) : null;
    if (!input && client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
    const now = deps.clock.now();
    const updated: Client = { ...client, rotationPolicy: policy, updatedAt: now };
    await tx.updateClient(updated);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'client.updated',
      actor: caller.actor,
      clientId: client.id,
      data: { rotationPolicy: policy, previousRotationPolicy: client.rotationPolicy },
    });
    return viewClient(updated, await tx.listVersions(client.id), now, await lockedSourcesOf(tx, updated, now));
  });
}
