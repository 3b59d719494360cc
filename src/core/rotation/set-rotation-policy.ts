import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { requirePermission } from '../accounts/require-permission.js';
import { recordAudit } from '../audit/record-audit.js';
import { loadClient } from '../credentials/load-client.js';
import { viewClient, type ClientView } from '../credentials/client-view.js';
import { lockedSourcesOf } from '../credentials/locked-sources-of.js';
import { maxGraceSeconds } from '../credentials/max-grace-seconds.js';
import { descriptorOf } from '../credentials/profiles/registry.js';
import type { Client } from '../credentials/client.js';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  DEFAULT_ROTATION_WARN_DAYS,
  MAX_ROTATION_EVERY_DAYS,
  type RotationPolicy,
} from '../credentials/rotation-policy.js';

/** A policy as a request states it: `warnDays` and `graceSeconds` may be left to their defaults. */
export interface RotationPolicyInput {
  everyDays: number;
  warnDays?: number;
  graceSeconds?: number;
  mode: RotationPolicy['mode'];
}

/**
 * Checks a policy against the client it is for and fills in the defaults: `auto` only for key
 * accounts (the only profile whose secret Rekey can hand to apps), never for the portal key account
 * (rotated only by registration), a grace within the account's bound.
 */
export function checkRotationPolicy(client: Client, input: RotationPolicyInput, maxGrace: number): RotationPolicy {
  if (client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
  const refusal = descriptorOf(client).refuseRotation(client.fields, 'control');
  if (refusal) {
    throw new RekeyError(refusal.code, `${refusal.message} It cannot carry a rotation policy.`, refusal.fields);
  }
  if (input.mode !== 'auto' && input.mode !== 'notify') throw invalid('/mode', 'Must be "auto" or "notify".');
  if (input.mode === 'auto' && !descriptorOf(client).locksOut) {
    throw invalid('/mode', `"auto" rotates key accounts (apikey clients) only; use "notify" for a ${client.profile} client.`);
  }
  const { everyDays } = input;
  if (!Number.isInteger(everyDays) || everyDays < 1 || everyDays > MAX_ROTATION_EVERY_DAYS) {
    throw invalid('/everyDays', `Must be an integer from 1 to ${MAX_ROTATION_EVERY_DAYS}.`);
  }
  const warnDays = input.warnDays ?? Math.min(DEFAULT_ROTATION_WARN_DAYS, everyDays - 1);
  if (!Number.isInteger(warnDays) || warnDays < 0 || warnDays >= everyDays) {
    throw invalid('/warnDays', `Must be an integer from 0 to ${everyDays - 1} (less than everyDays).`);
  }
  const graceSeconds = input.graceSeconds ?? Math.min(DEFAULT_ROTATION_GRACE_SECONDS, maxGrace);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxGrace) {
    throw invalid('/graceSeconds', `Must be an integer from 0 to ${maxGrace} (the account's longest grace).`);
  }
  return { everyDays, warnDays, graceSeconds, mode: input.mode };
}

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
