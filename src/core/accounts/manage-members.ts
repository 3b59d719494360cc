import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { assertCanGrantRoles } from './grant-rules.js';
import { EMAIL_PATTERN } from './initialize-account.js';
import type { Member } from './member.js';
import { newId } from '../kernel/new-id.js';
import { ADMINISTRATOR_ROLE, type Role } from './permissions.js';
import { guardGrant } from './guard-grant.js';
import { invalidateConsumers, revokeTokensOfMember } from '../tba/manage-tokens.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from './require-permission.js';

export interface MemberView {
  id: string;
  email: string;
  roles: string[];
  createdAt: string;
  removedAt?: string;
}

export function viewMember(member: Member): MemberView {
  const view: MemberView = { id: member.id, email: member.email, roles: member.roles, createdAt: new Date(member.createdAt).toISOString() };
  if (member.removedAt !== null) view.removedAt = new Date(member.removedAt).toISOString();
  return view;
}

/** The account's current members. */
export async function listMembers(deps: CoreDeps, caller: Caller): Promise<MemberView[]> {
  await requirePermission(deps, caller, 'members.manage', 'list members');
  return (await deps.store.listMembers(caller.accountId)).filter((member) => member.removedAt === null).map(viewMember);
}

async function assertRolesExist(deps: CoreDeps, accountId: string, roleNames: readonly string[]): Promise<Role[]> {
  const roles = await deps.store.listRoles(accountId);
  roleNames.forEach((name, index) => {
    if (name !== ADMINISTRATOR_ROLE && !roles.some((role) => role.name === name))
      throw invalid(`/roles/${index}`, `No role named "${name}" exists in this account.`);
  });
  return roles;
}

export async function createMember(
  deps: CoreDeps,
  caller: Caller,
  input: { email: string; roles: string[]; passwordHash: string | null },
): Promise<MemberView> {
  await requirePermission(deps, caller, 'members.manage', 'add a member');
  if (!EMAIL_PATTERN.test(input.email)) throw invalid('/email', 'Not an email address.');
  const roles = await assertRolesExist(deps, caller.accountId, input.roles);
  await guardGrant(deps, caller, 'add a member', () => assertCanGrantRoles(caller, input.roles, roles));
  const now = deps.clock.now();
  const member: Member = {
    id: newId('mem', deps.random),
    accountId: caller.accountId,
    email: input.email.toLowerCase(),
    passwordHash: input.passwordHash,
    roles: [...new Set(input.roles)],
    createdAt: now,
    removedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    const existing = (await tx.listMembers(caller.accountId)).find((candidate) => candidate.email === member.email);
    if (existing) throw new RekeyError('conflict', 'A member with that email already exists in this account.');
    await tx.insertMember(member);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'member.created',
      actor: caller.actor,
      data: { memberId: member.id, roles: member.roles },
    });
  });
  return viewMember(member);
}

export async function setMemberRoles(deps: CoreDeps, caller: Caller, memberId: string, roleNames: string[]): Promise<MemberView> {
  await requirePermission(deps, caller, 'members.manage', "change a member's roles");
  const member = await deps.store.getMember(caller.accountId, memberId);
  if (!member || member.removedAt !== null) throw notFound('member', memberId);
  const roles = await assertRolesExist(deps, caller.accountId, roleNames);
  const added = roleNames.filter((name) => !member.roles.includes(name));
  const removed = member.roles.filter((name) => !roleNames.includes(name));
  await guardGrant(deps, caller, "change a member's roles", () => assertCanGrantRoles(caller, [...added, ...removed], roles));
  const updated: Member = { ...member, roles: [...new Set(roleNames)] };
  const consumers = await deps.store.transaction(async (tx) => {
    await tx.updateMember(updated);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'member.updated',
      actor: caller.actor,
      data: { memberId, added, removed },
    });
    // Tokens act as a role: a member who loses the role loses its tokens (SPEC §1).
    return revokeTokensOfMember(deps, tx, member, { keepRoles: updated.roles, actor: caller.actor, reason: 'role_removed' });
  });
  invalidateConsumers(deps, consumers);
  return viewMember(updated);
}

/** Removes a member: their tba tokens, console sessions and admin tokens end with them. */
export async function removeMember(deps: CoreDeps, caller: Caller, memberId: string): Promise<void> {
  await requirePermission(deps, caller, 'members.manage', 'remove a member');
  const member = await deps.store.getMember(caller.accountId, memberId);
  if (!member || member.removedAt !== null) throw notFound('member', memberId);
  const roles = await deps.store.listRoles(caller.accountId);
  await guardGrant(deps, caller, 'remove a member', () => assertCanGrantRoles(caller, member.roles, roles));
  const consumers = await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    await tx.updateMember({ ...member, removedAt: now });
    await tx.revokeSessions(caller.accountId, { memberId }, now, 'member_removed');
    for (const token of await tx.listAdminTokens(caller.accountId)) {
      if (token.memberId === memberId && token.revokedAt === null) await tx.updateAdminToken({ ...token, revokedAt: now });
    }
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.removed', actor: caller.actor, data: { memberId } });
    return revokeTokensOfMember(deps, tx, member, { keepRoles: [], actor: caller.actor, reason: 'member_removed' });
  });
  invalidateConsumers(deps, consumers);
}

/**
 * Sets a member's console password. A member may set their own; setting someone else's needs
 * members.manage and every permission their roles hold, so nobody takes over a more powerful member.
 * The password is hashed (slow on purpose) only once the member is found and the caller may set
 * it, and never inside the transaction. Their other sessions end.
 */
export async function setMemberPassword(
  deps: CoreDeps,
  caller: Caller,
  memberId: string,
  hashPassword: () => Promise<string>,
): Promise<void> {
  const member = await deps.store.getMember(caller.accountId, memberId);
  if (!member || member.removedAt !== null) throw notFound('member', memberId);
  if (member.id !== caller.memberId) {
    await requirePermission(deps, caller, 'members.manage', "set another member's password");
    const roles = await deps.store.listRoles(caller.accountId);
    await guardGrant(deps, caller, "set another member's password", () => assertCanGrantRoles(caller, member.roles, roles));
  }
  const passwordHash = await hashPassword();
  await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    await tx.updateMember({ ...member, passwordHash });
    const keep = caller.actor.type === 'session' && member.id === caller.memberId ? { exceptSessionId: caller.actor.id } : {};
    await tx.revokeSessions(caller.accountId, { memberId, ...keep }, now, 'password_changed');
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.password_changed', actor: caller.actor, data: { memberId } });
  });
}
