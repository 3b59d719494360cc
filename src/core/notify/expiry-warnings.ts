import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { notifyAdministrators } from './notify-account.js';
import { recordAudit } from '../audit/record-audit.js';
import { effectiveState } from '../credentials/secret-version.js';

/** How long before a secret version's `expiresAt` its account is told (SPEC §3 expiry warnings). */
export const EXPIRY_WARNING_MS = 7 * 24 * 3600 * 1000;

/**
 * Announces secret versions that expire within the warning window, once each: an audit event and
 * the `secret.expiring` notice (emails and webhooks) in one transaction with the claim, so several
 * nodes scanning at once still announce each version exactly once. Returns how many it announced.
 */
export async function warnExpiringSecrets(deps: CoreDeps, options: { windowMs?: number; limit?: number } = {}): Promise<number> {
  const now = deps.clock.now();
  const candidates = await deps.store.listExpiringVersions(now, now + (options.windowMs ?? EXPIRY_WARNING_MS), options.limit ?? 100);
  let announced = 0;
  for (const version of candidates) {
    const state = effectiveState(version, now);
    if (state !== 'current' && state !== 'previous') continue;
    const done = await deps.store.transaction(async (tx) => {
      const client = await tx.getClient(version.clientId);
      if (!client || client.state === 'deleted') return false;
      if (!(await tx.claimExpiryWarning(version.id, now))) return false;
      const expiresAt = new Date(version.expiresAt!).toISOString();
      await recordAudit(deps, tx, {
        accountId: client.accountId,
        type: 'secret.expiring',
        actor: SYSTEM_ACTOR,
        clientId: client.id,
        versionId: version.id,
        data: { expiresAt },
      });
      await notifyAdministrators(deps, tx, client.accountId, 'secret.expiring', {
        subject: `Secret of ${client.name} expires ${expiresAt}`,
        text:
          `Secret version ${version.id} of client ${client.id} (${client.name}) in account ${client.accountId} expires at ${expiresAt}. ` +
          'Rotate it before then (regenerate, reset, or run the registration for the portal).',
        clientId: client.id,
        versionId: version.id,
      });
      return true;
    });
    if (done) announced++;
  }
  return announced;
}
