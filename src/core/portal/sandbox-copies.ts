import type { Account } from '../accounts/account.js';
import type { AdminToken, Member } from '../accounts/member.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { generateCredential } from '../kernel/credential-format.js';
import { notFound } from '../kernel/errors.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Store } from '../kernel/store.js';

/** What creating and refreshing a sandbox share: loading, copying members and roles, a member's token. */

export interface SandboxView {
  accountId: string;
  name: string;
  kind: 'sandbox';
  parentId: string;
  createdAt: string;
}

export function viewSandbox(account: Account): SandboxView {
  return {
    accountId: account.id,
    name: account.name,
    kind: 'sandbox',
    parentId: account.parentId ?? '',
    createdAt: new Date(account.createdAt).toISOString(),
  };
}

/** A sandbox of the caller's account, or 404: anything else looks like no sandbox at all. */
export async function loadOwnSandbox(store: Store, caller: Caller, sandboxId: string): Promise<Account> {
  const account = await store.getAccount(sandboxId);
  if (!account || account.kind !== 'sandbox' || account.parentId !== caller.accountId) throw notFound('sandbox', sandboxId);
  return account;
}

export async function loadOwnAccount(store: Store, caller: Caller, accountId: string): Promise<Account> {
  const account = accountId === caller.accountId ? await store.getAccount(accountId) : null;
  if (!account) throw notFound('account', accountId);
  return account;
}

/** Makes the sandbox's roles equal to the parent's. */
export async function copyRoles(tx: Store, parentId: string, sandboxId: string): Promise<void> {
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
export async function copyMembers(
  deps: Pick<CoreDeps, 'random'>,
  tx: Store,
  parentId: string,
  sandboxId: string,
  now: number,
): Promise<Map<string, string>> {
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
    if (member.removedAt === null && !parents.some((candidate) => candidate.email === member.email))
      await tx.updateMember({ ...member, removedAt: now });
  }
  return mapping;
}

/** An admin token for `memberId` in the sandbox, limited to what the caller holds now (nobody grants more). */
export async function issueMemberToken(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  caller: Caller,
  sandboxId: string,
  memberId: string,
): Promise<string> {
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
  await recordAudit(deps, tx, {
    accountId: sandboxId,
    type: 'admin_token.created',
    actor: caller.actor,
    data: { tokenId: token.id, memberId, issuedFrom: caller.accountId },
  });
  return secret;
}

export async function allClients(tx: Store, accountId: string): Promise<Client[]> {
  const clients: Client[] = [];
  let cursor: string | undefined;
  do {
    const page = await tx.listClients(accountId, { limit: 200, ...(cursor ? { cursor } : {}) });
    clients.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return clients;
}
