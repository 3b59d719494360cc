import type { CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { regenerateSecret } from '../credentials/regenerate-secret.js';
import { effectiveState, versionVerdict } from '../credentials/secret-version.js';
import { writeAppSecret } from '../apps/app-slots.js';
import { redeployApp } from '../apps/redeploy-app.js';
import { failRotation } from './rotation-failure.js';
import { LeaseLost, ROTATION_SCHEDULER, save, slotsOf } from './rotation-lease.js';
import type { RotationPlan, RotationRun } from './rotation-run.js';

/**
 * Records what the apps hold before anything changes: a failure restores exactly these values. Apps
 * that name the key account but hold no slot for it cannot receive a new secret, so the run fails
 * before regenerating.
 */
async function snapshotApps(deps: CoreDeps, run: RotationRun): Promise<RotationPlan['apps']> {
  const apps = await deps.store.listApps(run.accountId, { keyAccountId: run.clientId, limit: 500 });
  const snapshot: RotationPlan['apps'] = [];
  const withoutSlot: string[] = [];
  for (const app of apps) {
    const slots = await slotsOf(deps.store, app.id, run.clientId);
    if (slots.length === 0) withoutSlot.push(app.id);
    snapshot.push({
      appId: app.id,
      slots: slots.map(({ name, valueCiphertext, versionId, updatedAt }) => ({ name, valueCiphertext, versionId, updatedAt })),
    });
  }
  if (withoutSlot.length > 0) {
    throw new RekeyError(
      'conflict',
      `These apps name the key account in config.apiKeyId but hold no secret slot for it, so Rekey cannot hand them the new secret: ${withoutSlot.join(', ')}.`,
    );
  }
  return snapshot;
}

/**
 * The secret an earlier attempt of this run issued, if it is still the key account's current one
 * (nobody regenerated since): handing it out again keeps the previous secret in its grace.
 */
async function issuedSecret(deps: CoreDeps, run: RotationRun, aad: string): Promise<string | null> {
  if (run.versionId === null || !run.plan?.secretCiphertext) return null;
  const version = (await deps.store.listVersions(run.clientId)).find((candidate) => candidate.id === run.versionId);
  if (!version || effectiveState(version, deps.clock.now()) !== 'current' || versionVerdict(version, deps.clock.now()) !== 'ok')
    return null;
  return deps.keyring.decrypt(run.plan.secretCiphertext, aad);
}

/**
 * Scheduled rotation of a key account (SPEC §12, `auto`), seed 002's steps without an undeploy
 * window: regenerate with the policy's grace (the old secret keeps working meanwhile), write the new
 * secret into every slot that holds the key account, one app per transaction, and redeploy each
 * deployed app. Progress is written to the run as it goes, so a node that crashes mid-run is resumed
 * by another once the lease passes. The new secret is kept in the run, encrypted, so a resumed run
 * or a retry after a failure hands out the same secret instead of rotating again (which would retire
 * the previous secret the apps still hold). On a failure the slots already changed are restored,
 * the administrators alerted, and the run retried the next day.
 *
 * `graceSeconds`: the policy's, used when the run is first planned (a resumed run keeps its plan's).
 */
export async function executeRotation(deps: CoreDeps, claimed: RotationRun, graceSeconds: number): Promise<RotationRun> {
  let run = claimed;
  let working: string | null = null;
  const data = { rotationRunId: run.id };
  try {
    if (!run.detail.apps) {
      const apps = await snapshotApps(deps, run);
      run = await save(deps, deps.store, run, {
        plan: {
          graceSeconds: run.plan?.graceSeconds ?? graceSeconds,
          apps,
          ...(run.plan?.secretCiphertext ? { secretCiphertext: run.plan.secretCiphertext } : {}),
        },
        detail: {
          apps: apps.map((app) => ({ appId: app.appId, slots: app.slots.map((slot) => slot.name), status: 'pending', redeployed: false })),
        },
      });
    }
    const plan = run.plan!;
    const aad = `rotation-run\u0000${run.id}`;
    let secret = await issuedSecret(deps, run, aad);
    if (secret === null) {
      const regenerated = await regenerateSecret(
        deps,
        { accountId: run.accountId, actor: ROTATION_SCHEDULER, selfService: true },
        run.clientId,
        { graceSeconds: plan.graceSeconds, idempotencyKey: `scheduled-rotation ${run.id} ${run.attempts}` },
        { via: 'control' },
      );
      secret = regenerated.secret;
      run = await save(deps, deps.store, run, {
        versionId: regenerated.versionId,
        plan: { ...plan, secretCiphertext: deps.keyring.encrypt(regenerated.secret, aad) },
        detail: { ...run.detail, ...(regenerated.oldSecretExpiresAt ? { oldSecretExpiresAt: regenerated.oldSecretExpiresAt } : {}) },
      });
    }
    const regenerated = { versionId: run.versionId!, secret };
    deps.fault('scheduled-rotation-after-regenerate');

    for (;;) {
      for (const planned of run.plan!.apps) {
        const entry = run.detail.apps!.find((app) => app.appId === planned.appId)!;
        if (entry.status === 'updated') continue;
        working = planned.appId;
        const outcome = await deps.store.transaction(async (tx) => {
          const app = await tx.getApp(planned.appId);
          if (!app || app.accountId !== run.accountId) return { slots: [] as string[], redeployed: false };
          const keyAccount = await tx.getClient(run.clientId);
          if (!keyAccount) throw new RekeyError('conflict', 'The key account is gone.');
          const holding: string[] = [];
          for (const slot of await slotsOf(tx, app.id, run.clientId)) {
            if (slot.versionId !== regenerated.versionId) {
              await writeAppSecret(deps, tx, app, { name: slot.name, keyAccount, value: regenerated.secret }, ROTATION_SCHEDULER, data);
            }
            holding.push(slot.name);
          }
          const redeployed = await redeployApp(deps, tx, app, ROTATION_SCHEDULER, data);
          return { slots: holding, redeployed };
        });
        run = await save(deps, deps.store, run, {
          detail: {
            ...run.detail,
            apps: run.detail.apps!.map((app) =>
              app.appId === planned.appId ? { ...app, slots: outcome.slots, status: 'updated', redeployed: outcome.redeployed } : app,
            ),
          },
        });
        working = null;
        deps.fault('scheduled-rotation-after-app');
      }
      // Apps that took a slot of the key account while the run went on get the new secret too.
      const planned = new Set(run.plan!.apps.map((app) => app.appId));
      const latecomers = (await snapshotApps(deps, run)).filter((app) => !planned.has(app.appId));
      if (latecomers.length === 0) break;
      run = await save(deps, deps.store, run, {
        plan: { ...run.plan!, apps: [...run.plan!.apps, ...latecomers] },
        detail: {
          ...run.detail,
          apps: [
            ...run.detail.apps!,
            ...latecomers.map((app) => ({
              appId: app.appId,
              slots: app.slots.map((slot) => slot.name),
              status: 'pending' as const,
              redeployed: false,
            })),
          ],
        },
      });
    }
    return await finish(deps, run, 'succeeded');
  } catch (error) {
    if (error instanceof LeaseLost) return run;
    return failRotation(deps, run, error, working);
  }
}

async function finish(deps: CoreDeps, run: RotationRun, status: 'succeeded'): Promise<RotationRun> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    // Done: the secret and the slots' earlier values are no longer needed, so they are not kept.
    const done = await save(deps, tx, run, { status, leaseUntil: null, nextAttemptAt: null, finishedAt: now, plan: null });
    const apps = done.detail.apps ?? [];
    const client = await tx.getClient(run.clientId);
    await recordAudit(deps, tx, {
      accountId: run.accountId,
      type: 'rotation.completed',
      actor: ROTATION_SCHEDULER,
      clientId: run.clientId,
      versionId: run.versionId,
      data: { rotationRunId: run.id, dueAt: new Date(run.dueAt).toISOString(), attempts: run.attempts, apps: apps.map((app) => app.appId) },
    });
    await notifyAdministrators(deps, tx, run.accountId, 'rotation.completed', {
      subject: `Scheduled rotation of ${client?.name ?? run.clientId} completed`,
      text:
        `Key account ${run.clientId} was rotated on schedule: secret version ${run.versionId} is current` +
        (apps.length > 0
          ? ` and ${apps.length} app(s) hold it (${apps.map((app) => app.appId).join(', ')}).`
          : '; no app holds the key account.') +
        (done.detail.oldSecretExpiresAt ? ` The previous secret works until ${done.detail.oldSecretExpiresAt}.` : ''),
      clientId: run.clientId,
      ...(run.versionId ? { versionId: run.versionId } : {}),
      details: { rotationRunId: run.id, apps: apps.map((app) => app.appId) },
    });
    return done;
  });
}
