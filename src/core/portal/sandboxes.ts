import type { Account } from '../accounts/account.js';
import type { App } from '../apps/app.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { newClientRecord, newConsumerKey } from '../credentials/create-client.js';
import { generateCredential } from '../kernel/credential-format.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { MAX_APPS_LISTED } from '../apps/manage-apps.js';
import type { AdminToken, Member } from '../accounts/member.js';
import { newId } from '../kernel/new-id.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { recordAudit } from '../audit/record-audit.js';
import type { AccessKeyPurge } from './registration-store.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { Store } from '../kernel/store.js';
import { revokeIssuedTokens } from '../oauth/token-revocations.js';

/**
 * Sandboxes (SPEC §5, seed 001). A sandbox is an account `<parent>_SB<n>` whose members and roles are
 * copies of its parent's, so the parent's Administrators are Administrators there too: they sign in
 * to the sandbox with the same email and password, and creating or refreshing a sandbox hands the
 * calling member an admin token for their copy. No token of one account ever acts on another.
 */
export const MAX_SANDBOXES = 999;

export interface SandboxView {
  accountId: string;
  name: string;
  kind: 'sandbox';
  parentId: string;
  createdAt: string;
}

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

function viewSandbox(account: Account): SandboxView {
  return { accountId: account.id, name: account.name, kind: 'sandbox', parentId: account.parentId ?? '', createdAt: new Date(account.createdAt).toISOString() };
}

/** A sandbox of the caller's account, or 404: anything else looks like no sandbox at all. */
async function loadOwnSandbox(store: Store, caller: Caller, sandboxId: string): Promise<Account> {
  const account = await store.getAccount(sandboxId);
  if (!account || account.kind !== 'sandbox' || account.parentId !== caller.accountId) throw notFound('sandbox', sandboxId);
  return account;
}

async function loadOwnAccount(store: Store, caller: Caller, accountId: string): Promise<Account> {
  const account = accountId === caller.accountId ? await store.getAccount(accountId) : null;
  if (!account) throw notFound('account', accountId);
  return account;
}

/** Makes the sandbox's roles equal to the parent's. */
async function copyRoles(tx: Store, parentId: string, sandboxId: string): Promise<void> {
  const parentRoles = await tx.listRoles(parentId);
  for (const role of await tx.listRoles(sandboxId)) {
    if (!parentRoles.some((candidate) => candidate.name === role.name)) await tx.deleteRole(sandboxId, role.name);
  }
  for (const role of parentRoles) await tx.saveRole({ ...role, accountId: sandboxId });
}

/**
 * Makes the sandbox's members equal to the parent's current ones, matched by email: same roles, same
 * console password. Returns parent member id → sandbox member id.
 */
async function copyMembers(deps: Pick<CoreDeps, 'random'>, tx: Store, parentId: string, sandboxId: string, now: number): Promise<Map<string, string>> {
  const parents = (await tx.listMembers(parentId)).filter((member) => member.removedAt === null);
  const existing = await tx.listMembers(sandboxId);
  const mapping = new Map<string, string>();
  for (const member of parents) {
    const copy = existing.find((candidate) => candidate.email === member.email);
    if (copy) {
      await tx.updateMember({ ...copy, passwordHash: member.passwordHash, roles: member.roles, removedAt: null });
      mapping.set(member.id, copy.id);
    } else {
      const created: Member = { ...member, id: newId('mem', deps.random), accountId: sandboxId, createdAt: now, removedAt: null };
      await tx.insertMember(created);
      mapping.set(member.id, created.id);
    }
  }
  for (const member of existing) {
    if (member.removedAt === null && !parents.some((candidate) => candidate.email === member.email)) await tx.updateMember({ ...member, removedAt: now });
  }
  return mapping;
}

/** An admin token for `memberId` in the sandbox, limited to what the caller holds now (nobody grants more). */
async function issueMemberToken(deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>, tx: Store, caller: Caller, sandboxId: string, memberId: string): Promise<string> {
  const secret = generateCredential('adminToken', deps.random);
  const token: AdminToken = {
    id: newId('atk', deps.random),
    accountId: sandboxId,
    memberId,
    name: `sandbox access from ${caller.accountId}`,
    tokenHash: deps.keyring.hash(secret),
    permissions: [...caller.permissions],
    createdAt: deps.clock.now(),
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await tx.insertAdminToken(token);
  await recordAudit(deps, tx, { accountId: sandboxId, type: 'admin_token.created', actor: caller.actor, data: { tokenId: token.id, memberId, issuedFrom: caller.accountId } });
  return secret;
}

/** POST /v1/accounts/{id}/sandboxes: creates `<id>_SB<n>` with copies of the members and roles. */
export async function createSandbox(deps: CoreDeps, caller: Caller, parentId: string, input: { name?: string }): Promise<SandboxView & { members: number; adminToken: string }> {
  await requirePermission(deps, caller, 'accounts.manage', 'create a sandbox');
  const parent = await loadOwnAccount(deps.store, caller, parentId);
  if (parent.kind === 'sandbox') throw new RekeyError('conflict', 'A sandbox cannot have sandboxes of its own; create one from the production account.');
  const name = input.name?.trim();
  if (name !== undefined && (name === '' || name.length > 200)) throw invalid('/name', 'The sandbox name must be 1–200 characters.');
  return deps.store.transaction(async (tx) => {
    await tx.lockAccount(parent.id);
    const taken = new Set((await tx.listSandboxes(parent.id)).map((account) => account.id));
    let n = 1;
    while (taken.has(`${parent.id}_SB${n}`) && n <= MAX_SANDBOXES) n++;
    if (n > MAX_SANDBOXES) throw new RekeyError('conflict', `An account has at most ${MAX_SANDBOXES} sandboxes.`);
    const now = deps.clock.now();
    const sandbox: Account = { id: `${parent.id}_SB${n}`, name: name ?? `${parent.name} sandbox ${n}`, kind: 'sandbox', parentId: parent.id, settings: { ...parent.settings }, createdAt: now };
    if (await tx.getAccount(sandbox.id)) throw new RekeyError('conflict', `Account ${sandbox.id} already exists.`);
    await tx.insertAccount(sandbox);
    await copyRoles(tx, parent.id, sandbox.id);
    const members = await copyMembers(deps, tx, parent.id, sandbox.id, now);
    const memberId = members.get(caller.memberId);
    if (!memberId) throw new RekeyError('forbidden', 'Only a current member of the account can create its sandboxes.');
    const adminToken = await issueMemberToken(deps, tx, caller, sandbox.id, memberId);
    const data = { sandboxId: sandbox.id, parentId: parent.id, members: members.size };
    await recordAudit(deps, tx, { accountId: parent.id, type: 'sandbox.created', actor: caller.actor, data });
    await recordAudit(deps, tx, { accountId: sandbox.id, type: 'sandbox.created', actor: caller.actor, data });
    return { ...viewSandbox(sandbox), members: members.size, adminToken };
  });
}

export async function listSandboxes(deps: CoreDeps, caller: Caller, parentId: string): Promise<{ items: SandboxView[] }> {
  await requirePermission(deps, caller, 'accounts.manage', 'list sandboxes');
  const parent = await loadOwnAccount(deps.store, caller, parentId);
  return { items: (await deps.store.listSandboxes(parent.id)).map(viewSandbox) };
}

/** A new admin token for the caller's member in one of the account's sandboxes, e.g. when the last one was lost. */
export async function issueSandboxAdminToken(deps: CoreDeps, caller: Caller, sandboxId: string): Promise<{ accountId: string; memberId: string; adminToken: string }> {
  await requirePermission(deps, caller, 'accounts.manage', 'get an admin token for a sandbox');
  const sandbox = await loadOwnSandbox(deps.store, caller, sandboxId);
  return deps.store.transaction(async (tx) => {
    const self = await tx.getMember(caller.accountId, caller.memberId);
    const copy = self ? await tx.findMemberByEmail(sandbox.id, self.email) : null;
    if (!copy) throw new RekeyError('conflict', 'You have no member in this sandbox; refresh it to copy the members again.');
    return { accountId: sandbox.id, memberId: copy.id, adminToken: await issueMemberToken(deps, tx, caller, sandbox.id, copy.id) };
  });
}

async function allClients(tx: Store, accountId: string): Promise<Client[]> {
  const clients: Client[] = [];
  let cursor: string | undefined;
  do {
    const page = await tx.listClients(accountId, { limit: 200, ...(cursor ? { cursor } : {}) });
    clients.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return clients;
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
      await tx.updateClient({ ...client, state: 'deleted', deletedAt: now, updatedAt: now, failedAttempts: 0, lockedAt: null, lockedUntil: null });
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
      const copy = newClientRecord(deps, {
        accountId: sandbox.id,
        profile: source.profile,
        name: source.name,
        fields: { ...source.fields },
        consumerKey: source.consumerKey !== null ? newConsumerKey(deps) : null,
      }, now);
      if (copy.profile === 'tba' && source.profile === 'tba' && source.fields.ownerAccountId !== undefined) {
        // A bundle installation is copied as an installation of the same bundle, if it still exists.
        const installation = await tx.getInstallation(source.id);
        const owner = installation ? await tx.getClient(installation.sourceClientId) : null;
        if (!installation || !owner || owner.state === 'deleted' || owner.consumerKey === null || !(await tx.getBundle(installation.bundleId))) {
          skipped.push({ parentClientId: source.id, reason: 'The bundle this integration was installed from no longer exists.' });
          continue;
        }
        copy.fields = { ...copy.fields, consumerKey: owner.consumerKey };
        await tx.insertClient(copy);
        await tx.insertInstallation({ clientId: copy.id, bundleId: installation.bundleId, sourceClientId: owner.id, accountId: sandbox.id, installedAt: now });
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
        apiKeyId: source.apiKeyId === null ? null : clientIds.get(source.apiKeyId) ?? null,
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
      await tx.savePortalRegistration({ accountId: sandbox.id, keyAccountId: portalKeyAccount, appId: portalApp, createdAt: now, registeredAt: null, runs: 0 });
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
    const result: RefreshResult = { sandboxId: sandbox.id, parentId, refreshedAt: new Date(now).toISOString(), clients, apps, skipped, deleted };
    if (adminToken) result.adminToken = adminToken;
    return { result, touched };
  });
  for (const clientId of touched) deps.credentials.invalidate(clientId);
  return result;
}
