import { viewApp, type App, type AppView } from './app.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { generateCredential } from '../kernel/credential-format.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { loadClient } from '../credentials/load-client.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import { type SecretVersion } from '../credentials/secret-version.js';
import type { Store } from '../kernel/store.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

export interface CreateAppInput {
  name: string;
  config?: { apiKeyId?: string | null };
}

export interface UpdateAppInput {
  name?: string;
  config?: { apiKeyId?: string | null };
}

export type CreatedApp = AppView & { appToken: string };

export const MAX_APPS_LISTED = 500;

/** An app of the caller's account, or 404: another account's id looks like no id at all. */
export async function loadApp(store: Store, accountId: string, appId: string): Promise<App> {
  const app = await store.getApp(appId);
  if (!app || app.accountId !== accountId) throw notFound('app', appId);
  return app;
}

/** A key account (apikey client) of the account that an app may reference. */
export async function loadKeyAccount(store: Store, accountId: string, clientId: string, pointer: string): Promise<Client> {
  const client = await loadClient(store, accountId, clientId);
  if (!PROFILE_DESCRIPTORS[client.profile].locksOut)
    throw invalid(pointer, `${clientId} is a ${client.profile} client; apps reference key accounts (apikey clients).`);
  if (client.state === 'deleted') throw new RekeyError('conflict', `Key account ${clientId} is deleted.`);
  return client;
}

/** Renders apps, loading each referenced key account's versions once. */
export async function viewApps(store: Store, apps: readonly App[], now: number): Promise<AppView[]> {
  const versions = new Map<string, SecretVersion[]>();
  const views: AppView[] = [];
  for (const app of apps) {
    const secrets = await store.listAppSecrets(app.id);
    for (const secret of secrets) {
      if (!versions.has(secret.keyAccountId)) versions.set(secret.keyAccountId, await store.listVersions(secret.keyAccountId));
    }
    views.push(viewApp(app, secrets, (id) => versions.get(id) ?? [], now));
  }
  return views;
}

export async function viewOne(store: Store, app: App, now: number): Promise<AppView> {
  const [view] = await viewApps(store, [app], now);
  return view!;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) throw invalid('/name', 'The app name must be 1–200 characters.');
  return trimmed;
}

/** Creates an app and its app token; the token is in this response only. */
export async function createApp(deps: CoreDeps, caller: Caller, input: CreateAppInput): Promise<CreatedApp> {
  await requirePermission(deps, caller, 'apps.manage', 'create an app');
  const name = checkName(input.name);
  const now = deps.clock.now();
  const appToken = generateCredential('appToken', deps.random);
  const app: App = {
    id: newId('app', deps.random),
    accountId: caller.accountId,
    name,
    apiKeyId: input.config?.apiKeyId ?? null,
    state: 'undeployed',
    tokenHash: deps.keyring.hash(appToken),
    tokenCreatedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const view = await deps.store.transaction(async (tx) => {
    if (app.apiKeyId !== null) await loadKeyAccount(tx, caller.accountId, app.apiKeyId, '/config/apiKeyId');
    await tx.insertApp(app);
    await recordAudit(deps, tx, {
      accountId: app.accountId,
      type: 'app.created',
      actor: caller.actor,
      clientId: app.apiKeyId,
      data: { appId: app.id, name: app.name },
    });
    return viewOne(tx, app, now);
  });
  return { ...view, appToken };
}

export async function listApps(deps: CoreDeps, caller: Caller, filter: { keyAccountId?: string } = {}): Promise<{ items: AppView[] }> {
  await requirePermission(deps, caller, 'apps.manage', 'list apps');
  if (filter.keyAccountId !== undefined) await loadClient(deps.store, caller.accountId, filter.keyAccountId);
  const apps = await deps.store.listApps(caller.accountId, { ...filter, limit: MAX_APPS_LISTED });
  return { items: await viewApps(deps.store, apps, deps.clock.now()) };
}

/** The apps that use a key account: the console's "affected apps" before a regenerate. */
export async function listAppsOfKeyAccount(deps: CoreDeps, caller: Caller, keyAccountId: string): Promise<{ items: AppView[] }> {
  await requirePermission(deps, caller, 'credentials.read', 'list the apps of a key account', { clientId: keyAccountId });
  const client = await loadClient(deps.store, caller.accountId, keyAccountId);
  const apps = await deps.store.listApps(caller.accountId, { keyAccountId: client.id, limit: MAX_APPS_LISTED });
  return { items: await viewApps(deps.store, apps, deps.clock.now()) };
}

export async function getApp(deps: CoreDeps, caller: Caller, appId: string): Promise<AppView> {
  await requirePermission(deps, caller, 'apps.manage', 'read an app');
  return viewOne(deps.store, await loadApp(deps.store, caller.accountId, appId), deps.clock.now());
}

export async function updateApp(deps: CoreDeps, caller: Caller, appId: string, input: UpdateAppInput): Promise<AppView> {
  await requirePermission(deps, caller, 'apps.manage', 'change an app');
  const name = input.name !== undefined ? checkName(input.name) : undefined;
  return deps.store.transaction(async (tx) => {
    const app = await loadApp(tx, caller.accountId, appId);
    const now = deps.clock.now();
    const apiKeyId = input.config && 'apiKeyId' in input.config ? (input.config.apiKeyId ?? null) : app.apiKeyId;
    if (apiKeyId !== null && apiKeyId !== app.apiKeyId) await loadKeyAccount(tx, caller.accountId, apiKeyId, '/config/apiKeyId');
    const updated: App = { ...app, name: name ?? app.name, apiKeyId, updatedAt: now };
    await tx.updateApp(updated);
    await recordAudit(deps, tx, {
      accountId: app.accountId,
      type: 'app.updated',
      actor: caller.actor,
      clientId: apiKeyId,
      data: { appId: app.id, name: updated.name, apiKeyId },
    });
    return viewOne(tx, updated, now);
  });
}

/** Deletes an app, its slots and its token: the running app can no longer fetch its secrets. */
export async function deleteApp(deps: CoreDeps, caller: Caller, appId: string): Promise<void> {
  await requirePermission(deps, caller, 'apps.manage', 'delete an app');
  await deps.store.transaction(async (tx) => {
    const app = await loadApp(tx, caller.accountId, appId);
    await tx.deleteApp(app.id);
    await recordAudit(deps, tx, {
      accountId: app.accountId,
      type: 'app.deleted',
      actor: caller.actor,
      clientId: app.apiKeyId,
      data: { appId: app.id, name: app.name },
    });
  });
}
