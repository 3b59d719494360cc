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
