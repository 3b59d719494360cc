import type { Account } from '../accounts/account.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import {
  issueMemberToken,
  loadOwnAccount,
  loadOwnSandbox,
  copyMembers,
  copyRoles,
  viewSandbox,
  type SandboxView,
} from './sandbox-copies.js';

export type { SandboxView } from './sandbox-copies.js';

/**
 * Sandboxes (SPEC §5, seed 001). A sandbox is an account `<parent>_SB<n>` whose members and roles are
 * copies of its parent's, so the parent's Administrators are Administrators there too: they sign in
 * to the sandbox with the same email and password, and creating or refreshing a sandbox hands the
 * calling member an admin token for their copy. No token of one account ever acts on another.
 */
export const MAX_SANDBOXES = 999;

/** POST /v1/accounts/{id}/sandboxes: creates `<id>_SB<n>` with copies of the members and roles. */
export async function createSandbox(
  deps: CoreDeps,
  caller: Caller,
  parentId: string,
  input: { name?: string },
): Promise<SandboxView & { members: number; adminToken: string }> {
  await requirePermission(deps, caller, 'accounts.manage', 'create a sandbox');
  const parent = await loadOwnAccount(deps.store, caller, parentId);
  if (parent.kind === 'sandbox')
    throw new RekeyError('conflict', 'A sandbox cannot have sandboxes of its own; create one from the production account.');
  const name = input.name?.trim();
  if (name !== undefined && (name === '' || name.length > 200)) throw invalid('/name', 'The sandbox name must be 1–200 characters.');
  return deps.store.transaction(async (tx) => {
    await tx.lockAccount(parent.id);
    const taken = new Set((await tx.listSandboxes(parent.id)).map((account) => account.id));
    let n = 1;
    while (taken.has(`${parent.id}_SB${n}`) && n <= MAX_SANDBOXES) n++;
    if (n > MAX_SANDBOXES) throw new RekeyError('conflict', `An account has at most ${MAX_SANDBOXES} sandboxes.`);
    const now = deps.clock.now();
    const sandbox: Account = {
      id: `${parent.id}_SB${n}`,
      name: name ?? `${parent.name} sandbox ${n}`,
      kind: 'sandbox',
      parentId: parent.id,
      settings: { ...parent.settings },
      createdAt: now,
    };
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
export async function issueSandboxAdminToken(
  deps: CoreDeps,
  caller: Caller,
  sandboxId: string,
): Promise<{ accountId: string; memberId: string; adminToken: string }> {
  await requirePermission(deps, caller, 'accounts.manage', 'get an admin token for a sandbox');
  const sandbox = await loadOwnSandbox(deps.store, caller, sandboxId);
  return deps.store.transaction(async (tx) => {
    const self = await tx.getMember(caller.accountId, caller.memberId);
    const copy = self ? await tx.findMemberByEmail(sandbox.id, self.email) : null;
    if (!copy) throw new RekeyError('conflict', 'You have no member in this sandbox; refresh it to copy the members again.');
    return { accountId: sandbox.id, memberId: copy.id, adminToken: await issueMemberToken(deps, tx, caller, sandbox.id, copy.id) };
  });
}
