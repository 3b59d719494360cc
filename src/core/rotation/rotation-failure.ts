import type { CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { redeployApp, restoreAppSecret } from '../apps/redeploy-app.js';
import type { RotationRun, RotationRunApp } from './rotation-run.js';
import { ROTATION_RETRY_MS, ROTATION_SCHEDULER, save, slotsOf } from './rotation-lease.js';

/**
 * Restores every slot that holds this run's new secret to what the plan recorded, then records the
 * failure and alerts; the run is retried the next day. `failedAppId`: the app being written when
 * the run failed (its own transaction rolled back).
 */
export async function failRotation(deps: CoreDeps, failed: RotationRun, error: unknown, failedAppId: string | null): Promise<RotationRun> {
  let run = failed;
  const message = error instanceof RekeyError ? error.message : 'The store refused a write (see the server log).';
  const apps: RotationRunApp[] = [];
  for (const entry of run.detail.apps ?? []) {
    const planned = run.plan?.apps.find((app) => app.appId === entry.appId);
    const restored =
      planned && run.versionId !== null
        ? await deps.store
            .transaction(async (tx) => {
              const app = await tx.getApp(entry.appId);
              if (!app) return [];
              const now = new Map((await slotsOf(tx, app.id, run.clientId)).map((slot) => [slot.name, slot]));
              const names: string[] = [];
              for (const slot of planned.slots) {
                if (now.get(slot.name)?.versionId !== run.versionId || slot.versionId === run.versionId) continue;
                await restoreAppSecret(deps, tx, app, { appId: app.id, keyAccountId: run.clientId, ...slot }, ROTATION_SCHEDULER, {
                  rotationRunId: run.id,
                });
                names.push(slot.name);
              }
              if (names.length > 0) await redeployApp(deps, tx, app, ROTATION_SCHEDULER, { rotationRunId: run.id, restored: true });
              return names;
            })
            .catch(() => null)
        : [];
    if (restored === null) apps.push(entry);
    else if (restored.length > 0) apps.push({ ...entry, slots: restored, status: 'restored' });
    else if (entry.appId === failedAppId) apps.push({ ...entry, slots: [], status: 'failed' });
    else apps.push(entry);
  }
  const now = deps.clock.now();
  try {
    return await deps.store.transaction(async (tx) => {
      run = await save(deps, tx, run, {
        status: 'failed',
        leaseUntil: null,
        nextAttemptAt: now + ROTATION_RETRY_MS,
        finishedAt: now,
        detail: { ...run.detail, apps, error: message },
      });
      const client = await tx.getClient(run.clientId);
      const retryAt = new Date(now + ROTATION_RETRY_MS).toISOString();
      const grace = run.detail.oldSecretExpiresAt;
      await recordAudit(deps, tx, {
        accountId: run.accountId,
        type: 'rotation.failed',
        actor: ROTATION_SCHEDULER,
        clientId: run.clientId,
        versionId: run.versionId,
        data: {
          rotationRunId: run.id,
          attempts: run.attempts,
          error: message,
          retryAt,
          restored: apps.filter((app) => app.status === 'restored').map((app) => app.appId),
        },
      });
      await notifyAdministrators(deps, tx, run.accountId, 'rotation.failed', {
        subject: `Scheduled rotation of ${client?.name ?? run.clientId} failed`,
        text:
          `The scheduled rotation of key account ${run.clientId} failed: ${message} ` +
          (run.versionId
            ? `A new secret version (${run.versionId}) was issued, but the apps keep the previous secret` +
              (grace ? `, which works until ${grace}: fix the cause or write the current secret into them before then.` : '.')
            : 'Nothing was changed.') +
          ` Rekey tries again at ${retryAt}.`,
        clientId: run.clientId,
        ...(run.versionId ? { versionId: run.versionId } : {}),
        details: { rotationRunId: run.id, retryAt, ...(grace ? { oldSecretExpiresAt: grace } : {}) },
      });
      return run;
    });
  } catch {
    // The failure could not even be recorded (the store is down): the lease runs out and another
    // node, or this one, resumes the run later.
    return run;
  }
}
