import type { Client } from './client.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { descriptorOf } from './profiles/registry.js';
import type { SecretVersion } from './secret-version.js';

/**
 * Scheduled rotation (SPEC §12): how often a client's secret is replaced and what Rekey does on the
 * due date. `auto` (key accounts) regenerates with `graceSeconds` and hands the new secret to every
 * app that holds the key account; `notify` tells the administrators and marks the client
 * `rotationDue`. Both warn `warnDays` before the due date (0: no warning).
 */
export interface RotationPolicy {
  everyDays: number;
  warnDays: number;
  graceSeconds: number;
  mode: 'auto' | 'notify';
}

export const ROTATION_MODES = ['auto', 'notify'] as const;
export const MAX_ROTATION_EVERY_DAYS = 3650;
export const DEFAULT_ROTATION_WARN_DAYS = 7;
export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
export const DAY_MS = 86_400_000;

/**
 * The instant the client's secret is due for rotation: `everyDays` after its current version was
 * issued, so any regenerate (scheduled or by hand) starts the period again. Null without a policy or
 * a current version.
 */
export function rotationDueAt(policy: RotationPolicy | null, versions: readonly SecretVersion[]): number | null {
  if (!policy) return null;
  const current = versions.find((version) => version.state === 'current');
  return current ? current.createdAt + policy.everyDays * DAY_MS : null;
}

/** When the warning of a due date goes out (null: the policy warns not at all). */
export function rotationWarnAt(policy: RotationPolicy, dueAt: number): number | null {
  return policy.warnDays > 0 ? dueAt - policy.warnDays * DAY_MS : null;
}

/** What the client view shows of a policy: the policy, its next due date, and whether it has passed. */
export function viewRotation(
  policy: RotationPolicy | null,
  versions: readonly SecretVersion[],
  now: number,
): { rotationPolicy: RotationPolicy | null; rotationDueAt?: string; rotationDue?: boolean } {
  const dueAt = rotationDueAt(policy, versions);
  if (!policy || dueAt === null) return { rotationPolicy: policy };
  return { rotationPolicy: { ...policy }, rotationDueAt: new Date(dueAt).toISOString(), rotationDue: now >= dueAt };
}

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
export function checkRotationPolicy(client: Client, input: RotationPolicyInput, maxGrace: number, at = ''): RotationPolicy {
  if (client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
  const refusal = descriptorOf(client).refuseRotation(client.fields, 'control');
  if (refusal) {
    throw new RekeyError(refusal.code, `${refusal.message} It cannot carry a rotation policy.`, refusal.fields);
  }
  if (input.mode !== 'auto' && input.mode !== 'notify') throw invalid(`${at}/mode`, 'Must be "auto" or "notify".');
  if (input.mode === 'auto' && !descriptorOf(client).locksOut) {
    throw invalid(`${at}/mode`, `"auto" rotates key accounts (apikey clients) only; use "notify" for a ${client.profile} client.`);
  }
  const { everyDays } = input;
  if (!Number.isInteger(everyDays) || everyDays < 1 || everyDays > MAX_ROTATION_EVERY_DAYS) {
    throw invalid(`${at}/everyDays`, `Must be an integer from 1 to ${MAX_ROTATION_EVERY_DAYS}.`);
  }
  const warnDays = input.warnDays ?? Math.min(DEFAULT_ROTATION_WARN_DAYS, everyDays - 1);
  if (!Number.isInteger(warnDays) || warnDays < 0 || warnDays >= everyDays) {
    throw invalid(`${at}/warnDays`, `Must be an integer from 0 to ${everyDays - 1} (less than everyDays).`);
  }
  const graceSeconds = input.graceSeconds ?? Math.min(DEFAULT_ROTATION_GRACE_SECONDS, maxGrace);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxGrace) {
    throw invalid(`${at}/graceSeconds`, `Must be an integer from 0 to ${maxGrace} (the account's longest grace).`);
  }
  return { everyDays, warnDays, graceSeconds, mode: input.mode };
}
