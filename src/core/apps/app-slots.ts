import type { Actor } from '../audit/audit-event.js';
import { appSecretAad, isSlotWorking, MAX_SLOTS_PER_APP, SLOT_NAME_PATTERN, type App, type AppSecret, type AppView } from './app.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { generateCredential, isWellFormedCredential } from '../kernel/credential-format.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import { versionVerdict, type SecretVersion } from '../credentials/secret-version.js';
import type { Store } from '../kernel/store.js';
import { loadApp, loadKeyAccount, viewOne } from './manage-apps.js';

/** The slots of `app` whose values would not authenticate now. */
export async function deadSlotsOf(store: Store, secrets: readonly AppSecret[], now: number): Promise<string[]> {
  const dead: string[] = [];
  const versions = new Map<string, SecretVersion[]>();
  for (const secret of secrets) {
    let list = versions.get(secret.keyAccountId);
    if (!list) {
      const client = await store.getClient(secret.keyAccountId);
      list = client && client.state === 'active' ? await store.listVersions(secret.keyAccountId) : [];
      versions.set(secret.keyAccountId, list);
    }
    if (!isSlotWorking(secret, list, now)) dead.push(secret.name);
  }
  return dead;
}

/** Refuses (409) an app whose slots hold a secret that no longer works: deploying it would lock key accounts (seed 002). */
export async function assertSlotsWork(tx: Store, app: App, now: number): Promise<void> {
  const dead = await deadSlotsOf(tx, await tx.listAppSecrets(app.id), now);
  if (dead.length > 0) {
    throw new RekeyError(
      'conflict',
      `App ${app.id} would run with secrets that no longer work (slots: ${dead.join(', ')}). Write the current secret into them first.`,
      { appId: app.id, slots: dead },
    );
  }
}

/**
 * Sets an app's state inside `tx`, audited when it changes. Deploying refuses an app whose slots
 * hold a secret that no longer works: a deployed app with a dead secret is what locks key accounts
 * (seed 002).
 */
export async function setAppState(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  app: App,
  state: App['state'],
  actor: Actor,
  data: Record<string, unknown> = {},
): Promise<App> {
  const now = deps.clock.now();
  if (state === 'deployed') await assertSlotsWork(tx, app, now);
  if (app.state === state) return app;
  const updated: App = { ...app, state, updatedAt: now };
  await tx.updateApp(updated);
  await recordAudit(deps, tx, {
    accountId: app.accountId,
    type: state === 'deployed' ? 'app.deployed' : 'app.undeployed',
    actor,
    clientId: app.apiKeyId,
    data: { appId: app.id, name: app.name, ...data },
  });
  return updated;
}

export async function deployApp(deps: CoreDeps, caller: Caller, appId: string, state: App['state']): Promise<AppView> {
  await requirePermission(deps, caller, 'apps.manage', state === 'deployed' ? 'deploy an app' : 'undeploy an app');
  return deps.store.transaction(async (tx) => {
    const app = await loadApp(tx, caller.accountId, appId);
    const updated = await setAppState(deps, tx, app, state, caller.actor);
    return viewOne(tx, updated, deps.clock.now());
  });
}

/**
 * Writes `value` into an app's slot inside `tx`, encrypted and bound to (app, slot). The value must
 * be a secret that works for the key account now; the version it belongs to is recorded so the
 * console can tell which apps run a stale secret.
 */
export async function writeAppSecret(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  app: App,
  slot: { name: string; keyAccount: Client; value: string },
  actor: Actor,
  data: Record<string, unknown> = {},
): Promise<AppSecret> {
  const now = deps.clock.now();
  await tx.lockClient(slot.keyAccount.id);
  const hash = deps.keyring.hash(slot.value);
  const version = (await tx.listVersions(slot.keyAccount.id)).find((candidate) => deps.keyring.hashesEqual(hash, candidate.secretHash));
  if (!version || versionVerdict(version, now) !== 'ok') {
    throw invalid('/value', `The value is not a working secret of key account ${slot.keyAccount.id}.`);
  }
  const secret: AppSecret = {
    appId: app.id,
    name: slot.name,
    keyAccountId: slot.keyAccount.id,
    valueCiphertext: deps.keyring.encrypt(slot.value, appSecretAad(app.id, slot.name)),
    versionId: version.id,
    updatedAt: now,
  };
  await tx.putAppSecret(secret);
  await recordAudit(deps, tx, {
    accountId: app.accountId,
    type: 'app.secret_updated',
    actor,
    clientId: slot.keyAccount.id,
    versionId: version.id,
    data: { appId: app.id, slot: slot.name, ...data },
  });
  return secret;
}

export async function putAppSecret(
  deps: CoreDeps,
  caller: Caller,
  appId: string,
  name: string,
  input: { keyAccountId: string; value: string },
): Promise<AppView> {
  await requirePermission(deps, caller, 'apps.manage', 'write an app secret');
  if (!SLOT_NAME_PATTERN.test(name))
    throw invalid('/name', 'Slot names are 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
  if (!isWellFormedCredential(input.value, 'secret')) throw invalid('/value', 'The value must be a key-account secret (rk_sec_…).');
  return deps.store.transaction(async (tx) => {
    const app = await loadApp(tx, caller.accountId, appId);
    const keyAccount = await loadKeyAccount(tx, caller.accountId, input.keyAccountId, '/keyAccountId');
    const existing = await tx.listAppSecrets(app.id);
    if (!existing.some((secret) => secret.name === name) && existing.length >= MAX_SLOTS_PER_APP) {
      throw new RekeyError('conflict', `An app holds at most ${MAX_SLOTS_PER_APP} secret slots.`);
    }
    await writeAppSecret(deps, tx, app, { name, keyAccount, value: input.value }, caller.actor);
    const updated: App = { ...app, updatedAt: deps.clock.now() };
    await tx.updateApp(updated);
    return viewOne(tx, updated, deps.clock.now());
  });
}

export async function deleteAppSecret(deps: CoreDeps, caller: Caller, appId: string, name: string): Promise<void> {
  await requirePermission(deps, caller, 'apps.manage', 'delete an app secret');
  await deps.store.transaction(async (tx) => {
    const app = await loadApp(tx, caller.accountId, appId);
    const slot = (await tx.listAppSecrets(app.id)).find((secret) => secret.name === name);
    if (!slot) throw notFound('app secret', name);
    await tx.deleteAppSecret(app.id, name);
    await recordAudit(deps, tx, {
      accountId: app.accountId,
      type: 'app.secret_updated',
      actor: caller.actor,
      clientId: slot.keyAccountId,
      data: { appId: app.id, slot: name, deleted: true },
    });
  });
}

/** Issues a new app token; the previous one stops working at once. */
export async function rotateAppToken(deps: CoreDeps, caller: Caller, appId: string): Promise<{ appId: string; appToken: string }> {
  await requirePermission(deps, caller, 'apps.manage', 'issue an app token');
  const appToken = generateCredential('appToken', deps.random);
  await deps.store.transaction(async (tx) => {
    const app = await loadApp(tx, caller.accountId, appId);
    const now = deps.clock.now();
    await tx.updateApp({ ...app, tokenHash: deps.keyring.hash(appToken), tokenCreatedAt: now, updatedAt: now });
    await recordAudit(deps, tx, {
      accountId: app.accountId,
      type: 'app.updated',
      actor: caller.actor,
      clientId: app.apiKeyId,
      data: { appId: app.id, tokenRotated: true },
    });
  });
  return { appId, appToken };
}
