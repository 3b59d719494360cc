import type { App } from '../apps/app.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { newClientRecord, newConsumerKey } from '../credentials/create-client.js';
import { MAX_APPS_LISTED } from '../apps/manage-apps.js';
import { newId } from '../kernel/new-id.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { recordAudit } from '../audit/record-audit.js';
import type { AccessKeyPurge } from './portal-store.js';
import { requirePermission } from '../accounts/require-permission.js';
import { revokeIssuedTokens } from '../oauth/token-revocations.js';
import { allClients, copyMembers, copyRoles, issueMemberToken, loadOwnSandbox } from './sandbox-copies.js';

export interface RefreshResult {
  sandboxId: string;
  parentId: string;
  refreshedAt: string;
  /** Every copied client: the parent's id and the sandbox's new one. */
  clients: Array<{ parentClientId: string; clientId: string; profile: Client['profile']; name: string }>;
  apps: Array<{ parentAppId: string; appId: string; name: string }>;
  /** Parent clients not copied (a bundle installation whose bundle is gone). */
  skipped: Array<{ parentClientId: string; reason: string }>;
  deleted: Omit<AccessKeyPurge, 'tokenConsumerIds'> & { clients: number };
  /** An admin token for the caller's own member in the sandbox (every earlier one was deleted). Shown once. */
  adminToken?: string;
}

/**
 * POST /v1/accounts/{sandboxId}/refresh (parent side). In one transaction: the sandbox's clients are
 * deleted and replaced by copies of the parent's configuration under new ids (the mapping is
 * returned and audited); members and roles are copied again; every access key in the sandbox is
 * deleted — secret versions, tokens, admin tokens, app tokens, sessions. The copies have no secret,
 * so they answer 401 `no_credentials` until the sandbox is registered or each is regenerated/reset.
 * Nothing of the parent changes.
 */
export async function refreshSandbox(deps: CoreDeps, caller: Caller, sandboxId: string): Promise<RefreshResult> {
  await requirePermission(deps, caller, 'accounts.manage', 'refresh a sandbox');
  const sandbox = await loadOwnSandbox(deps.store, caller, sandboxId);
  const parentId = caller.accountId;
  const { result, touched } = await deps.store.transaction(async (tx) => {
    await tx.lockAccount(sandbox.id);
    const now = deps.clock.now();
    const touched = new Set<string>();

    // The sandbox's own clients go: deleted, their OAuth tokens revoked, their versions purged below.
    let deletedClients = 0;
    for (const client of await allClients(tx, sandbox.id)) {
      touched.add(client.id);
      if (client.state === 'deleted') continue;
      await tx.lockClient(client.id);
      await revokeIssuedTokens(deps, tx, client, await tx.listVersions(client.id), { now, actor: caller.actor });
      await tx.updateClient({
        ...client,
        state: 'deleted',
        deletedAt: now,
        updatedAt: now,
        failedAttempts: 0,
        lockedAt: null,
        lockedUntil: null,
      });
      await tx.recordChange(client.id, now);
      deletedClients++;
    }
    const purge = await tx.purgeAccessKeys(sandbox.id);
    for (const consumerId of purge.tokenConsumerIds) {
      touched.add(consumerId);
      await tx.recordChange(consumerId, now);
    }

    await copyRoles(tx, parentId, sandbox.id);
    const members = await copyMembers(deps, tx, parentId, sandbox.id, now);

    const clients: RefreshResult['clients'] = [];
    const skipped: RefreshResult['skipped'] = [];
    const clientIds = new Map<string, string>();
    for (const source of await allClients(tx, parentId)) {
      if (source.state === 'deleted') continue;
      const copy = newClientRecord(
        deps,
        {
          accountId: sandbox.id,
          profile: source.profile,
          name: source.name,
          fields: { ...source.fields },
          consumerKey: source.consumerKey !== null ? newConsumerKey(deps) : null,
        },
        now,
      );
      if (copy.profile === 'tba' && source.profile === 'tba' && source.fields.ownerAccountId !== undefined) {
        // A bundle installation is copied as an installation of the same bundle, if it still exists.
        const installation = await tx.getInstallation(source.id);
        const owner = installation ? await tx.getClient(installation.sourceClientId) : null;
        if (
          !installation ||
          !owner ||
          owner.state === 'deleted' ||
          owner.consumerKey === null ||
          !(await tx.getBundle(installation.bundleId))
        ) {
          skipped.push({ parentClientId: source.id, reason: 'The bundle this integration was installed from no longer exists.' });
          continue;
        }
        copy.fields = { ...copy.fields, consumerKey: owner.consumerKey };
        await tx.insertClient(copy);
        await tx.insertInstallation({
          clientId: copy.id,
          bundleId: installation.bundleId,
          sourceClientId: owner.id,
          accountId: sandbox.id,
          installedAt: now,
        });
        await tx.recordChange(owner.id, now);
        touched.add(owner.id);
      } else {
        await tx.insertClient(copy);
      }
      await tx.recordChange(copy.id, now);
      clientIds.set(source.id, copy.id);
      clients.push({ parentClientId: source.id, clientId: copy.id, profile: copy.profile, name: copy.name });
    }

    // Apps are configuration: copied undeployed, with no token and no secret slots.
    const apps: RefreshResult['apps'] = [];
    const appIds = new Map<string, string>();
    for (const source of await tx.listApps(parentId, { limit: MAX_APPS_LISTED })) {
      const copy: App = {
        ...source,
        id: newId('app', deps.random),
        accountId: sandbox.id,
        apiKeyId: source.apiKeyId === null ? null : (clientIds.get(source.apiKeyId) ?? null),
        state: 'undeployed',
        tokenHash: null,
        tokenCreatedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await tx.insertApp(copy);
      appIds.set(source.id, copy.id);
      apps.push({ parentAppId: source.id, appId: copy.id, name: copy.name });
    }

    // The portal comes along unregistered: the sandbox's own registration issues its secret.
    const portal = await tx.getPortalRegistration(parentId);
    const portalKeyAccount = portal ? clientIds.get(portal.keyAccountId) : undefined;
    const portalApp = portal ? appIds.get(portal.appId) : undefined;
    if (portalKeyAccount && portalApp) {
      await tx.savePortalRegistration({
        accountId: sandbox.id,
        keyAccountId: portalKeyAccount,
        appId: portalApp,
        createdAt: now,
        registeredAt: null,
        runs: 0,
      });
    }

    const { tokenConsumerIds: _consumers, ...purged } = purge;
    const deleted = { ...purged, clients: deletedClients };
    const memberId = members.get(caller.memberId);
    const adminToken = memberId ? await issueMemberToken(deps, tx, caller, sandbox.id, memberId) : undefined;
    const data = {
      sandboxId: sandbox.id,
      parentId,
      clients: clients.map(({ parentClientId, clientId }) => ({ parentClientId, clientId })),
      apps: apps.map(({ parentAppId, appId }) => ({ parentAppId, appId })),
      skipped,
      deleted,
      members: members.size,
    };
    await recordAudit(deps, tx, { accountId: sandbox.id, type: 'sandbox.refreshed', actor: caller.actor, data });
    await recordAudit(deps, tx, { accountId: parentId, type: 'sandbox.refreshed', actor: caller.actor, data });
    await notifyAdministrators(deps, tx, sandbox.id, 'sandbox.refreshed', {
      subject: `Sandbox ${sandbox.id} was refreshed from ${parentId}`,
      text: [
        `Sandbox ${sandbox.id} (${sandbox.name}) was refreshed from account ${parentId} at ${new Date(now).toISOString()}.`,
        `Every access key in the sandbox was deleted: ${deleted.secretVersions} secret versions, ${deleted.tokens} tokens, ` +
          `${deleted.adminTokens} admin tokens, ${deleted.appTokens} app tokens and ${deleted.sessions} console sessions.`,
        `Its clients were replaced by ${clients.length} copies of ${parentId}'s configuration under new ids; they answer no_credentials ` +
          'until the sandbox is registered again (POST /v1/register with the sandbox id) or each client is regenerated or reset.',
        ...clients.map((client) => `  ${client.parentClientId} -> ${client.clientId} (${client.profile}, ${client.name})`),
      ].join('\n'),
    });
    const result: RefreshResult = {
      sandboxId: sandbox.id,
      parentId,
      refreshedAt: new Date(now).toISOString(),
      clients,
      apps,
      skipped,
      deleted,
    };
    if (adminToken) result.adminToken = adminToken;
    return { result, touched };
  });
  for (const clientId of touched) deps.credentials.invalidate(clientId);
  return result;
}
