import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { ClientFields } from '../credentials/client.js';
import { viewClient, type ClientView } from '../credentials/client-view.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, notFound } from '../kernel/errors.js';
import { newClientRecord } from '../credentials/create-client.js';
import { loadClient } from '../credentials/load-client.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { Bundle, Installation } from './tba-store.js';

/** An installed record's settings: the bundle it came from and the owner's current consumer key (shown, never the secret). */
type InstallationFields = ClientFields & { bundleId: string; ownerAccountId: string; sourceClientId: string; consumerKey: string };

/**
 * Publishes an integration record as a bundle other accounts can install (SPEC §5, seed 000).
 * A record has one bundle: publishing again returns it.
 */
export async function publishBundle(deps: CoreDeps, caller: Caller, clientId: string): Promise<{ bundle: Bundle; created: boolean }> {
  await requirePermission(deps, caller, 'accounts.manage', 'publish a bundle', { clientId });
  return deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await loadClient(tx, caller.accountId, clientId);
    if (client.profile !== 'tba') throw new RekeyError('not_tba', 'Only integration records (tba clients) can be bundled.');
    if (client.state === 'deleted') throw new RekeyError('conflict', 'This integration is deleted.');
    if (client.fields.ownerAccountId !== undefined) {
      throw new RekeyError(
        'bundle_managed',
        `This integration was itself installed from a bundle of account ${client.fields.ownerAccountId}; only that account can publish it.`,
        { ownerAccountId: client.fields.ownerAccountId },
      );
    }
    if (client.fields.tokenBasedAuth === false)
      throw new RekeyError('tba_disabled', 'This integration does not use token-based authentication.');
    const [existing] = await tx.listBundlesOfClient(client.id);
    if (existing) return { bundle: existing, created: false };
    const bundle: Bundle = { id: newId('bnd', deps.random), clientId: client.id, accountId: client.accountId, createdAt: deps.clock.now() };
    await tx.insertBundle(bundle);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'bundle.published',
      actor: caller.actor,
      clientId: client.id,
      data: { bundleId: bundle.id },
    });
    return { bundle, created: true };
  });
}

/**
 * Installs another account's bundle: a tba record in the caller's account that signs with the
 * owner's consumer pair. The installer issues tokens for its own members (realm = its account id);
 * only the owner can reset.
 */
export async function installBundle(deps: CoreDeps, caller: Caller, bundleId: string): Promise<ClientView> {
  await requirePermission(deps, caller, 'accounts.manage', 'install a bundle');
  const installed = await deps.store.transaction(async (tx) => {
    const bundle = await tx.getBundle(bundleId);
    if (!bundle) throw notFound('bundle', bundleId);
    await tx.lockClient(bundle.clientId);
    if (bundle.accountId === caller.accountId)
      throw new RekeyError('conflict', 'This bundle belongs to your own account; use the integration record itself.');
    const source = await tx.getClient(bundle.clientId);
    if (!source || source.profile !== 'tba' || source.state === 'deleted' || source.consumerKey === null)
      throw new RekeyError('conflict', 'The integration this bundle publishes was deleted by its owner.');
    const existing = await tx.findInstallation(bundle.id, caller.accountId);
    if (existing) {
      const record = await tx.getClient(existing.clientId);
      if (record && record.state !== 'deleted')
        throw new RekeyError('conflict', `This bundle is already installed in your account as ${existing.clientId}.`, {
          clientId: existing.clientId,
        });
      throw new RekeyError('conflict', 'This bundle was installed here before and removed; it cannot be installed again.');
    }
    const now = deps.clock.now();
    const fields: InstallationFields = {
      tokenBasedAuth: source.fields.tokenBasedAuth ?? true,
      allowHmacSha1: source.fields.allowHmacSha1 ?? false,
      bundleId: bundle.id,
      ownerAccountId: bundle.accountId,
      sourceClientId: source.id,
      consumerKey: source.consumerKey,
    };
    const record = newClientRecord(
      deps,
      { accountId: caller.accountId, profile: 'tba', name: source.name, fields, consumerKey: null },
      now,
    );
    const installation: Installation = {
      clientId: record.id,
      bundleId: bundle.id,
      sourceClientId: source.id,
      accountId: caller.accountId,
      installedAt: now,
    };
    await tx.insertClient(record);
    await tx.insertInstallation(installation);
    // The consumer's hot-path entry lists its installations.
    await tx.recordChange(source.id, now);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'bundle.installed',
      actor: caller.actor,
      clientId: record.id,
      data: { bundleId: bundle.id, ownerAccountId: bundle.accountId },
    });
    await recordAudit(deps, tx, {
      accountId: bundle.accountId,
      type: 'bundle.installed',
      actor: SYSTEM_ACTOR,
      clientId: source.id,
      data: { bundleId: bundle.id, installerAccountId: caller.accountId, installedClientId: record.id },
    });
    return { record, sourceId: source.id };
  });
  deps.credentials.invalidate(installed.sourceId);
  return viewClient(installed.record, [], deps.clock.now());
}

export interface BundleView {
  bundleId: string;
  clientId: string;
  createdAt: string;
  installations: Array<{ accountId: string; installedAt: string }>;
}

/** The owner's view of a record's bundle and who installed it. */
export async function getBundleOfClient(deps: CoreDeps, caller: Caller, clientId: string): Promise<BundleView[]> {
  await requirePermission(deps, caller, 'credentials.read', "read a record's bundles", { clientId });
  const client = await loadClient(deps.store, caller.accountId, clientId);
  const bundles = await deps.store.listBundlesOfClient(client.id);
  const installations = await deps.store.listInstallations(client.id);
  return bundles.map((bundle) => ({
    bundleId: bundle.id,
    clientId: bundle.clientId,
    createdAt: new Date(bundle.createdAt).toISOString(),
    installations: installations
      .filter((installation) => installation.bundleId === bundle.id)
      .map((installation) => ({ accountId: installation.accountId, installedAt: new Date(installation.installedAt).toISOString() })),
  }));
}
