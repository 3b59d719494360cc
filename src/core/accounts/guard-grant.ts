import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { recordAudit } from '../audit/record-audit.js';

/**
 * Runs a grant rule (grant-rules.ts) and audits a refusal like any other denied permission.
 * Call it outside a transaction: the audit row must survive the refusal.
 */
export async function guardGrant(
  deps: CoreDeps,
  caller: Caller,
  action: string,
  check: () => void,
  target: { clientId?: string } = {},
): Promise<void> {
  try {
    check();
  } catch (error) {
    if (error instanceof RekeyError && error.code === 'forbidden') {
      await recordAudit(deps, deps.store, {
        accountId: caller.accountId,
        type: 'permission.denied',
        actor: caller.actor,
        clientId: target.clientId ?? null,
        data: { action, missing: error.fields.missing ?? [] },
      });
    }
    throw error;
  }
}
