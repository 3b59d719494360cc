import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { loadClient } from '../credentials/load-client.js';
import { maxGraceSeconds } from '../credentials/max-grace-seconds.js';
import { loadKeyAccount } from './manage-apps.js';
import { setAppState, writeAppSecret } from './app-slots.js';
import { newId } from '../kernel/new-id.js';
import {
  assertRegenerable,
  regenerateSecret,
  replayIdempotent,
  requestFingerprint,
  saveIdempotent,
} from '../credentials/regenerate-secret.js';
import { requirePermission } from '../accounts/require-permission.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

export interface RotateWithAppsInput {
  graceSeconds: number;
  idempotencyKey?: string;
}

export type RotationStepName = 'undeploy' | 'write_secret' | 'deploy';
export type RotationStepStatus = 'done' | 'skipped' | 'failed';

export interface RotationStep {
  appId: string;
  step: RotationStepName;
  status: RotationStepStatus;
}

export interface RotateWithAppsResult {
  versionId: string;
  steps: RotationStep[];
}

/** What the first attempt decided, kept so a retry finishes the same rotation (and redeploys the same apps). */
interface RotationPlan {
  rotationId: string;
  apps: Array<{ appId: string; wasDeployed: boolean }>;
}

/**
 * Guided rotation (SPEC §5, seed 002's procedure as one operation): undeploy the apps that use the
 * key account → regenerate → write the new secret into every slot that references it → deploy the
 * apps that were deployed. Each step commits and is audited on its own, so the order is visible to
 * running apps; the plan and the regenerate are stored under the Idempotency-Key, so a retry after a
 * crash or failure resumes with the same secret instead of rotating twice. At every instant each app
 * is either undeployed or deployed with a secret that works: deploy refuses dead secrets.
 */
export async function rotateWithApps(
  deps: CoreDeps,
  caller: Caller,
  clientId: string,
  input: RotateWithAppsInput,
): Promise<RotateWithAppsResult> {
  await requirePermission(deps, caller, 'credentials.manage', 'rotate a key account with its apps', { clientId });
  await requirePermission(deps, caller, 'apps.manage', 'rotate a key account with its apps', { clientId });
  const maxGrace = await maxGraceSeconds(deps, caller.accountId, 'control');
  if (!Number.isInteger(input.graceSeconds) || input.graceSeconds < 0 || input.graceSeconds > maxGrace) {
    throw invalid('/graceSeconds', `Must be an integer from 0 to ${maxGrace}.`);
  }
  const fingerprint = requestFingerprint(['rotate-with-apps', clientId, input.graceSeconds]);
  const userKey = input.idempotencyKey;
  if (userKey) {
    const replay = await replayIdempotent<RotateWithAppsResult>(deps, deps.store, caller.accountId, userKey, fingerprint);
    if (replay) return replay;
  }
  // Internal keys contain a space, which an Idempotency-Key header never does: no collisions.
  const key = userKey ?? `auto ${newId('req', deps.random)}`;
  const planKey = `rotate-with-apps plan ${key}`;
  const regenerateKey = `rotate-with-apps regenerate ${key}`;
  const actor = caller.actor;
  const steps: RotationStep[] = [];
  let versionId: string | undefined;
  let current: { appId: string; step: RotationStepName } | null = null;

  try {
    // 1. Plan (or resume the stored plan) and undeploy, in one transaction: a failure here changes nothing.
    const undeploySteps: RotationStep[] = [];
    const plan = await deps.store.transaction(async (tx) => {
      undeploySteps.length = 0;
      await tx.lockClient(clientId);
      const stored = await replayIdempotent<RotationPlan>(deps, tx, caller.accountId, planKey, fingerprint);
      const client = await loadClient(tx, caller.accountId, clientId);
      if (!PROFILE_DESCRIPTORS[client.profile].locksOut)
        throw new RekeyError('conflict', 'Guided rotation applies to key accounts (apikey clients); regenerate other clients directly.');
      assertRegenerable(client, 'control');
      const apps = await tx.listApps(caller.accountId, { keyAccountId: client.id, limit: 500 });
      let chosen = stored;
      if (!chosen) {
        const withoutSlot: string[] = [];
        for (const app of apps) {
          const slots = (await tx.listAppSecrets(app.id)).filter((secret) => secret.keyAccountId === client.id);
          if (slots.length === 0) withoutSlot.push(app.id);
        }
        if (withoutSlot.length > 0) {
          throw new RekeyError(
            'conflict',
            `These apps name the key account in config.apiKeyId but hold no secret slot for it, so Rekey cannot hand them the new secret: ${withoutSlot.join(', ')}. Add a slot (PUT /v1/apps/{id}/secrets/{name}) first.`,
            { appIds: withoutSlot },
          );
        }
        chosen = {
          rotationId: newId('req', deps.random),
          apps: apps.map((app) => ({ appId: app.id, wasDeployed: app.state === 'deployed' })),
        };
        await saveIdempotent(deps, tx, caller.accountId, planKey, fingerprint, chosen);
      }
      const byId = new Map(apps.map((app) => [app.id, app]));
      for (const planned of chosen.apps) {
        const app = byId.get(planned.appId) ?? (await tx.getApp(planned.appId));
        if (!app || app.state !== 'deployed') {
          undeploySteps.push({ appId: planned.appId, step: 'undeploy', status: planned.wasDeployed ? 'done' : 'skipped' });
          continue;
        }
        await setAppState(deps, tx, app, 'undeployed', actor, { rotationId: chosen.rotationId });
        undeploySteps.push({ appId: app.id, step: 'undeploy', status: 'done' });
      }
      return chosen;
    });
    steps.push(...undeploySteps);

    // 2. Regenerate: with its own stored response, so a retry gets the same secret back.
    const regenerated = await regenerateSecret(
      deps,
      caller,
      clientId,
      { graceSeconds: input.graceSeconds, idempotencyKey: regenerateKey },
      { via: 'control' },
    );
    versionId = regenerated.versionId;
    deps.fault('rotate-after-regenerate');

    // 3. Write the new secret into every slot that references the key account.
    const planned = new Set(plan.apps.map((app) => app.appId));
    const latecomers = (await deps.store.listApps(caller.accountId, { keyAccountId: clientId, limit: 500 })).filter(
      (app) => !planned.has(app.id),
    );
    for (const appId of [...plan.apps.map((app) => app.appId), ...latecomers.map((app) => app.id)]) {
      current = { appId, step: 'write_secret' };
      const written = await deps.store
        .transaction(async (tx) => {
          const app = await tx.getApp(appId);
          if (!app || app.accountId !== caller.accountId) return false;
          const keyAccount = await loadKeyAccount(tx, caller.accountId, clientId, '/keyAccountId');
          const slots = (await tx.listAppSecrets(app.id)).filter((secret) => secret.keyAccountId === clientId);
          for (const slot of slots) {
            await writeAppSecret(deps, tx, app, { name: slot.name, keyAccount, value: regenerated.secret }, actor, {
              rotationId: plan.rotationId,
            });
          }
          return slots.length > 0;
        })
        .catch(supersededOrRethrow);
      steps.push({ appId, step: 'write_secret', status: written ? 'done' : 'skipped' });
    }
    current = null;
    deps.fault('rotate-before-deploy');

    // 4. Deploy what was deployed before; deploy itself refuses an app whose secret does not work.
    for (const { appId, wasDeployed } of plan.apps) {
      current = { appId, step: 'deploy' };
      const deployed =
        wasDeployed &&
        (await deps.store.transaction(async (tx) => {
          const app = await tx.getApp(appId);
          if (!app || app.accountId !== caller.accountId) return false;
          await setAppState(deps, tx, app, 'deployed', actor, { rotationId: plan.rotationId });
          return true;
        }));
      steps.push({ appId, step: 'deploy', status: deployed ? 'done' : 'skipped' });
    }
    current = null;

    const result: RotateWithAppsResult = { versionId: regenerated.versionId, steps };
    if (userKey) await deps.store.transaction((tx) => saveIdempotent(deps, tx, caller.accountId, userKey, fingerprint, result));
    return result;
  } catch (error) {
    const failed = current as { appId: string; step: RotationStepName } | null;
    if (failed) steps.push({ ...failed, status: 'failed' });
    const where = failed ? ` at step ${failed.step} of app ${failed.appId}` : versionId ? ' after regenerating' : ' before regenerating';
    const advice =
      'Every app is undeployed or deployed with a working secret.' + (userKey ? ' Retry with the same Idempotency-Key to finish.' : '');
    const fields = { steps, ...(versionId ? { versionId } : {}) };
    if (error instanceof RekeyError) {
      // Refusals before any change (permission, validation, a missing slot) keep their own answer.
      if (steps.length === 0 && !versionId) throw error;
      throw new RekeyError(error.code, `The guided rotation stopped${where}: ${error.message} ${advice}`, { ...error.fields, ...fields });
    }
    throw new RekeyError('internal', `The guided rotation stopped${where}. ${advice}`, fields);
  }
}

/** A secret that stopped working before it was written means a newer rotation won: stop, don't write it. */
function supersededOrRethrow(error: unknown): never {
  if (error instanceof RekeyError && error.code === 'invalid_request') {
    throw new RekeyError('conflict', 'The key account was rotated again meanwhile; the new secret of this rotation no longer works.');
  }
  throw error;
}
