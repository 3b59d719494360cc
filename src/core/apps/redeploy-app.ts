import type { Actor } from '../audit/audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Store } from '../kernel/store.js';
import type { App, AppSecret } from './app.js';
import { assertSlotsWork } from './app-slots.js';

/**
 * Redeploys a deployed app inside `tx` so it picks up the secrets just written into its slots
 * (scheduled rotation, SPEC §12): audited as `app.deployed` with `redeployed: true`. The app never
 * leaves the deployed state, and like a deploy it refuses slots that would not work. An app that
 * is not deployed is left alone (false).
 */
export async function redeployApp(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  app: App,
  actor: Actor,
  data: Record<string, unknown> = {},
): Promise<boolean> {
  if (app.state !== 'deployed') return false;
  const now = deps.clock.now();
  await assertSlotsWork(tx, app, now);
  await tx.updateApp({ ...app, updatedAt: now });
  await recordAudit(deps, tx, {
    accountId: app.accountId,
    type: 'app.deployed',
    actor,
    clientId: app.apiKeyId,
    data: { appId: app.id, name: app.name, redeployed: true, ...data },
  });
  return true;
}

/** Puts a slot back as it was (its ciphertext is bound to the same app and name), audited. */
export async function restoreAppSecret(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  app: App,
  slot: AppSecret,
  actor: Actor,
  data: Record<string, unknown> = {},
): Promise<void> {
  await tx.putAppSecret(slot);
  await recordAudit(deps, tx, {
    accountId: app.accountId,
    type: 'app.secret_updated',
    actor,
    clientId: slot.keyAccountId,
    versionId: slot.versionId,
    data: { appId: app.id, slot: slot.name, restored: true, ...data },
  });
}
