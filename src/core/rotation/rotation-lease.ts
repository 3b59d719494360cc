import type { Actor } from '../audit/audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import type { Store } from '../kernel/store.js';
import { DAY_MS } from '../credentials/rotation-policy.js';
import type { AppSecret } from '../apps/app.js';
import type { RotationRun } from './rotation-run.js';

/** How long a node owns a running rotation without writing progress; after that another node resumes it. */
export const ROTATION_LEASE_MS = 5 * 60_000;
/** A failed rotation is tried again this long after it failed (SPEC §12: the next day). */
export const ROTATION_RETRY_MS = DAY_MS;
/** Who the scheduler's changes are audited as. */
export const ROTATION_SCHEDULER: Actor = { type: 'system', id: 'rotation-scheduler' };

/** Another node took the run over (this one was too slow): stop, touch nothing more. */
export class LeaseLost extends Error {}

/** Writes the run's progress, renewing the lease, only while this node still owns it. */
export async function save(deps: CoreDeps, store: Store, run: RotationRun, patch: Partial<RotationRun>): Promise<RotationRun> {
  const now = deps.clock.now();
  const next: RotationRun = { ...run, leaseUntil: now + ROTATION_LEASE_MS, updatedAt: now, ...patch };
  if (!(await store.replaceRotationRun(next, run))) throw new LeaseLost();
  return next;
}

/** The slots of the key account an app holds, as stored. */
export async function slotsOf(store: Store, appId: string, keyAccountId: string): Promise<AppSecret[]> {
  return (await store.listAppSecrets(appId)).filter((slot) => slot.keyAccountId === keyAccountId);
}
