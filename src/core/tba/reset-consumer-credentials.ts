import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { newConsumerKey } from '../credentials/create-client.js';
import { RekeyError } from '../kernel/errors.js';
import { issueSecretVersion } from '../credentials/issue-secret-version.js';
import { loadClient } from '../credentials/load-client.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { recordAudit } from '../audit/record-audit.js';
import { replayIdempotent, requestFingerprint, saveIdempotent } from '../credentials/regenerate-secret.js';
import { requirePermission } from '../accounts/require-permission.js';
import { planRotation } from '../credentials/rotate-secret.js';

export interface ResetResult {
  consumerKey: string;
  consumerSecret: string;
}

/** Whether a client may be reset at all (SPEC §3), in the order the refusals are documented. */
export function assertResettable(client: Client): void {
  if (client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
  if (client.profile !== 'tba')
    throw new RekeyError('not_tba', 'Only integration records (tba clients) are reset; regenerate this client instead.');
  if (client.fields.ownerAccountId !== undefined) {
    throw new RekeyError(
      'bundle_managed',
      `This integration was installed from a bundle; only its owning account (${client.fields.ownerAccountId}) can reset it.`,
      { ownerAccountId: client.fields.ownerAccountId },
    );
  }
  if (client.fields.tokenBasedAuth === false)
    throw new RekeyError('tba_disabled', 'This integration does not use token-based authentication, so it has no consumer pair to reset.');
}

/**
 * Reset (SPEC §3, seed 000): a new consumer key and consumer secret in one transaction. The old
 * pair is refused at once (no grace); tokens survive and from now on work with the new pair only.
 * A bundled record's reset applies to every installation, and each installer is told.
 */
export async function resetConsumerCredentials(
  deps: CoreDeps,
  caller: Caller,
  clientId: string,
  options: { idempotencyKey?: string } = {},
): Promise<ResetResult> {
  await requirePermission(deps, caller, 'credentials.manage', "reset an integration's credentials", { clientId });
  const fingerprint = requestFingerprint(['reset', clientId]);
  const { result, installations } = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    if (options.idempotencyKey) {
      const replay = await replayIdempotent<ResetResult>(deps, tx, caller.accountId, options.idempotencyKey, fingerprint);
      if (replay) return { result: replay, installations: [] as string[] };
    }
    const client = await loadClient(tx, caller.accountId, clientId);
    assertResettable(client);
    const now = deps.clock.now();
    const versions = await tx.listVersions(client.id);
    const plan = planRotation(versions, { graceSeconds: 0, now });
    for (const version of plan.changed) await tx.updateVersion(version);
    const previous = versions.find((version) => version.state === 'current');
    const { version, secret } = issueSecretVersion(deps, client, now);
    await tx.insertVersion(version);
    const consumerKey = newConsumerKey(deps);
    if (client.consumerKey !== null) await tx.retireConsumerKey(client.consumerKey, client.id, now);
    await tx.updateClient({ ...client, consumerKey, updatedAt: now });
    await tx.recordChange(client.id, now);

    const installed = await tx.listInstallations(client.id);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'client.reset',
      actor: caller.actor,
      clientId: client.id,
      versionId: version.id,
      data: { previousVersionId: previous?.id ?? null, installations: installed.length },
    });
    await notifyAdministrators(deps, tx, client.accountId, 'client.reset', {
      subject: `Credentials reset for ${client.name}`,
      text:
        `The consumer key and secret of integration ${client.id} (${client.name}) in account ${client.accountId} were reset; ` +
        `the previous pair stopped working immediately. Existing tokens keep working with the new pair (version ${version.id}).`,
      clientId: client.id,
      versionId: version.id,
    });
    for (const installation of installed) {
      const record = await tx.getClient(installation.clientId);
      if (!record || record.profile !== 'tba') continue;
      // The installed record shows the bundle's current consumer key (never the secret).
      await tx.updateClient({ ...record, fields: { ...record.fields, consumerKey }, updatedAt: now });
      await tx.recordChange(record.id, now);
      await recordAudit(deps, tx, {
        accountId: installation.accountId,
        type: 'bundle.reset',
        // The owner's members are not the installer's business: the installer sees the system act.
        actor: SYSTEM_ACTOR,
        clientId: record.id,
        data: { bundleId: installation.bundleId, ownerAccountId: client.accountId, ownerClientId: client.id },
      });
      await notifyAdministrators(deps, tx, installation.accountId, 'bundle.reset', {
        subject: `Bundled integration ${record.name} was reset by its owner`,
        text:
          `Account ${client.accountId} reset the credentials of the bundled integration ${record.name}, installed in account ${installation.accountId} as ${record.id}. ` +
          "Your tokens keep working once the publisher's application uses the new consumer key and secret; you need to do nothing else.",
        clientId: record.id,
      });
    }
    const response: ResetResult = { consumerKey, consumerSecret: secret };
    if (options.idempotencyKey) await saveIdempotent(deps, tx, caller.accountId, options.idempotencyKey, fingerprint, response);
    deps.fault('before-commit');
    return { result: response, installations: installed.map((installation) => installation.clientId) };
  });
  deps.fault('after-commit');
  deps.credentials.invalidate(clientId);
  for (const installationId of installations) deps.credentials.invalidate(installationId);
  return result;
}
