import type { Actor } from '../audit/audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import type { Store } from '../kernel/store.js';
import { recordAudit } from '../audit/record-audit.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { regenerateSecret } from '../credentials/regenerate-secret.js';
import { DAY_MS } from '../credentials/rotation-policy.js';
import type { AppSecret } from '../apps/app.js';
import { effectiveState, versionVerdict } from '../credentials/secret-version.js';
import { writeAppSecret } from '../apps/app-slots.js';
import { redeployApp, restoreAppSecret } from '../apps/redeploy-app.js';
import type { RotationPlan, RotationRun, RotationRunApp } from './rotation-run.js';

/** How long a node owns a running rotation without writing progress; after that another node resumes it. */
export const ROTATION_LEASE_MS = 5 * 60_000;
/** A failed rotation is tried again this long after it failed (SPEC §12: the next day). */
export const ROTATION_RETRY_MS = DAY_MS;
/** Who the scheduler's changes are audited as. */
export const ROTATION_SCHEDULER: Actor = { type: 'system', id: 'rotation-scheduler' };

/** Another node took the run over (this one was too slow): stop, touch nothing more. */
class LeaseLost extends Error {}

/** Writes the run's progress, renewing the lease, only while this node still owns it. */
async function save(deps: CoreDeps, store: Store, run: RotationRun, patch: Partial<RotationRun>): Promise<RotationRun> {
  const now = deps.clock.now();
  const next: RotationRun = { ...run, leaseUntil: now + ROTATION_LEASE_MS, updatedAt: now, ...patch };
  if (!(await store.replaceRotationRun(next, run))) throw new LeaseLost();
  return next;
}

/** The slots of the key account an app holds, as stored. */
async function slotsOf(store: Store, appId: string, keyAccountId: string): Promise<AppSecret[]> {
  return (await store.listAppSecrets(appId)).filter((slot) => slot.keyAccountId === keyAccountId);
}

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
    return fail(deps, run, error, working);
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

/**
 * Restores every slot that holds this run's new secret to what the plan recorded, then records the
 * failure and alerts; the run is retried the next day. `failedAppId`: the app being written when
 * the run failed (its own transaction rolled back).
 */
async function fail(deps: CoreDeps, failed: RotationRun, error: unknown, failedAppId: string | null): Promise<RotationRun> {
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
