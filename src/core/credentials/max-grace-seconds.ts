import { DEFAULT_ACCOUNT_SETTINGS } from '../accounts/account.js';
import type { CoreDeps } from '../kernel/core-deps.js';

/** Who regenerates: a member (control API, CLI), an integrator rotating its own secret, or the portal registration. */
export type RegenerateVia = 'control' | 'integrator' | 'registration';

/** Seed 003: an integrator rotates its own secret, with an optional grace of up to an hour. */
export const INTEGRATOR_MAX_GRACE_SECONDS = 3600;

/**
 * The longest grace a regenerate may give: the account's own bound on the control plane (SPEC §3,
 * 7 days unless the account says otherwise), an hour for integrators, none for the registration.
 */
export async function maxGraceSeconds(deps: Pick<CoreDeps, 'store'>, accountId: string, via: RegenerateVia): Promise<number> {
  if (via === 'registration') return 0;
  if (via === 'integrator') return INTEGRATOR_MAX_GRACE_SECONDS;
  const account = await deps.store.getAccount(accountId);
  return account?.settings.maxGraceSeconds ?? DEFAULT_ACCOUNT_SETTINGS.maxGraceSeconds;
}
