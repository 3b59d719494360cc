import { viewClient, type ClientView } from '../credentials/client-view.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { loadClient } from '../credentials/load-client.js';
import { isLockActive } from './lockout.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

/** POST /v1/clients/{id}/unlock: clears the counter and every lock, key-account-wide and per address. */
export async function unlockKeyAccount(deps: CoreDeps, caller: Caller, clientId: string): Promise<ClientView> {
  await requirePermission(deps, caller, 'credentials.manage', 'unlock a key account', { clientId });
  const view = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await loadClient(tx, caller.accountId, clientId);
    if (!PROFILE_DESCRIPTORS[client.profile].locksOut)
      throw new RekeyError('conflict', `Only key accounts lock; this is a ${client.profile} client.`);
    if (client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
    const now = deps.clock.now();
    const sourceLocks = (await tx.listSourceLockouts(client.id)).filter((lock) => isLockActive(lock, now));
    const wasLocked = isLockActive(client, now);
    await tx.clearSourceLockouts(client.id, now);
    const unlocked = { ...client, failedAttempts: 0, lockedAt: null, lockedUntil: null, updatedAt: wasLocked ? now : client.updatedAt };
    await tx.updateClient(unlocked);
    await tx.recordChange(client.id, now);
    if (wasLocked || sourceLocks.length > 0) {
      await recordAudit(deps, tx, {
        accountId: client.accountId,
        type: 'client.unlocked',
        actor: caller.actor,
        clientId: client.id,
        data: { reason: 'unlocked', ...(sourceLocks.length > 0 ? { addresses: sourceLocks.map((lock) => lock.address) } : {}) },
      });
    }
    return viewClient(unlocked, await tx.listVersions(client.id), now);
  });
  deps.credentials.invalidate(clientId);
  return view;
}
