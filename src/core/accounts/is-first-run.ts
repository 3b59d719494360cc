import type { CoreDeps } from '../kernel/core-deps.js';

/** True while the deployment has no account at all (SPEC §7's first-run page). Tells nothing about any tenant. */
export async function isFirstRun(deps: Pick<CoreDeps, 'store'>): Promise<boolean> {
  return (await deps.store.countAccounts()) === 0;
}
