import type { Actor } from '../audit/audit-event.js';
import type { Client } from '../credentials/client.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Store } from '../kernel/store.js';

export interface AffectedApp {
  appId: string;
  name: string;
}

/**
 * What a regenerate of a key account does beyond its versions, inside the same transaction:
 * per-address locks go too (regenerating unlocks, seed 002), and the apps that use the key account
 * are named in the response so the caller knows whom the new secret must reach.
 */
export async function keyAccountRegenerated(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  client: Client,
  actor: Actor,
): Promise<AffectedApp[]> {
  const now = deps.clock.now();
  const cleared = await tx.clearSourceLockouts(client.id, now);
  if (cleared > 0) {
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'client.unlocked',
      actor,
      clientId: client.id,
      data: { reason: 'regenerated', scope: 'source', addresses: cleared },
    });
  }
  const apps = await tx.listApps(client.accountId, { keyAccountId: client.id, limit: 500 });
  return apps.map((app) => ({ appId: app.id, name: app.name }));
}
