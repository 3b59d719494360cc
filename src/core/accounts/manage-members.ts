import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { assertCanGrantPermissions, assertCanGrantRoles } from './grant-rules.js';
import { EMAIL_PATTERN } from './initialize-account.js';
import { generateCredential } from '../kernel/credential-format.js';
import type { AdminToken, Member } from './member.js';
import { newId } from '../kernel/new-id.js';
import { ADMINISTRATOR_ROLE, PERMISSIONS, type Permission, type Role } from './permissions.js';
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
    if (name !== ADMINISTRATOR_ROLE && !roles.some((role) => role.name === name)) throw invalid(`/roles/${index}`, `No role named "${name}" exists in this account.`);
  });
  return roles;
}

export async function createMember(deps: CoreDeps, caller: Caller, input: { email: string; roles: string[]; passwordHash: string | null }): Promise<MemberView> {
  await requirePermission(deps, caller, 'members.manage', 'add a member');
  if (!EMAIL_PATTERN.test(input.email)) throw invalid('/email', 'Not an email address.');
  const roles = await assertRolesExist(deps, caller.accountId, input.roles);
  await guardGrant(deps, caller, 'add a member', () => assertCanGrantRoles(caller, input.roles, roles));
  const now = deps.clock.now();
  const member: Member = { id: newId('mem', deps.random), accountId: caller.accountId, email: input.email.toLowerCase(), passwordHash: input.passwordHash, roles: [...new Set(input.roles)], createdAt: now, removedAt: null };
  await deps.store.transaction(async (tx) => {
    const existing = (await tx.listMembers(caller.accountId)).find((candidate) => candidate.email === member.email);
    if (existing) throw new RekeyError('conflict', 'A member with that email already exists in this account.');
    await tx.insertMember(member);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.created', actor: caller.actor, data: { memberId: member.id, roles: member.roles } });
  });
  return viewMember(member);
}

export async function setMemberRoles(deps: CoreDeps, caller: Caller, memberId: string, roleNames: string[]): Promise<MemberView> {
  await requirePermission(deps, caller, 'members.manage', 'change a member\'s roles');
  const member = await deps.store.getMember(caller.accountId, memberId);
  if (!member || member.removedAt !== null) throw notFound('member', memberId);
  const roles = await assertRolesExist(deps, caller.accountId, roleNames);
  const added = roleNames.filter((name) => !member.roles.includes(name));
  const removed = member.roles.filter((name) => !roleNames.includes(name));
  await guardGrant(deps, caller, 'change a member\'s roles', () => assertCanGrantRoles(caller, [...added, ...removed], roles));
  const updated: Member = { ...member, roles: [...new Set(roleNames)] };
  const consumers = await deps.store.transaction(async (tx) => {
    await tx.updateMember(updated);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.updated', actor: caller.actor, data: { memberId, added, removed } });
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
 * Sets a member's console password (already hashed by the caller, outside any transaction). A member
 * may set their own; setting someone else's needs members.manage and every permission their roles
 * hold, so nobody takes over a more powerful member. Their other sessions end.
 */
export async function setMemberPassword(deps: CoreDeps, caller: Caller, memberId: string, passwordHash: string): Promise<void> {
  const member = await deps.store.getMember(caller.accountId, memberId);
  if (!member || member.removedAt !== null) throw notFound('member', memberId);
  if (member.id !== caller.memberId) {
    await requirePermission(deps, caller, 'members.manage', 'set another member\'s password');
    const roles = await deps.store.listRoles(caller.accountId);
    await guardGrant(deps, caller, 'set another member\'s password', () => assertCanGrantRoles(caller, member.roles, roles));
  }
  await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    await tx.updateMember({ ...member, passwordHash });
    const keep = caller.actor.type === 'session' && member.id === caller.memberId ? { exceptSessionId: caller.actor.id } : {};
    await tx.revokeSessions(caller.accountId, { memberId, ...keep }, now, 'password_changed');
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.password_changed', actor: caller.actor, data: { memberId } });
  });
}

export interface RoleView {
  name: string;
  permissions: Permission[];
  builtIn: boolean;
}

export function viewRole(role: Role): RoleView {
  return { name: role.name, permissions: role.permissions, builtIn: false };
}

/** Every role, the built-in Administrator first. */
export async function listRoles(deps: CoreDeps, caller: Caller): Promise<RoleView[]> {
  await requirePermission(deps, caller, 'members.manage', 'list roles');
  return [{ name: ADMINISTRATOR_ROLE, permissions: [...PERMISSIONS], builtIn: true }, ...(await deps.store.listRoles(caller.accountId)).map(viewRole)];
}

/** Admin tokens: the caller's own, or the whole account's with members.manage. */
export async function listAdminTokens(deps: CoreDeps, caller: Caller): Promise<AdminTokenView[]> {
  const all = await deps.store.listAdminTokens(caller.accountId);
  const visible = caller.permissions.has('members.manage') ? all : all.filter((token) => token.memberId === caller.memberId);
  return visible.map(viewAdminToken);
}

async function loadRole(deps: CoreDeps, accountId: string, name: string): Promise<Role> {
  const role = (await deps.store.listRoles(accountId)).find((candidate) => candidate.name === name);
  if (!role) throw notFound('role', name);
  return role;
}

export async function createRole(deps: CoreDeps, caller: Caller, input: { name: string; permissions: Permission[] }): Promise<RoleView> {
  await requirePermission(deps, caller, 'members.manage', 'define a role');
  if (input.name === ADMINISTRATOR_ROLE) throw new RekeyError('conflict', 'The Administrator role is built in and cannot be changed.');
  await guardGrant(deps, caller, 'define a role', () => assertCanGrantPermissions(caller, input.permissions));
  const role: Role = { accountId: caller.accountId, name: input.name, permissions: [...new Set(input.permissions)], createdAt: deps.clock.now() };
  await deps.store.transaction(async (tx) => {
    if ((await tx.listRoles(caller.accountId)).some((candidate) => candidate.name === input.name)) throw new RekeyError('conflict', `A role named "${input.name}" already exists; change it with PUT /v1/roles/{name}.`);
    await tx.saveRole(role);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'role.created', actor: caller.actor, data: { role: role.name, permissions: role.permissions } });
  });
  return viewRole(role);
}

/** Changes a role's permissions. The caller must hold every permission it had and will have. */
export async function updateRole(deps: CoreDeps, caller: Caller, name: string, permissions: Permission[]): Promise<RoleView> {
  await requirePermission(deps, caller, 'members.manage', 'change a role');
  if (name === ADMINISTRATOR_ROLE) throw new RekeyError('conflict', 'The Administrator role is built in and cannot be changed.');
  const existing = await loadRole(deps, caller.accountId, name);
  await guardGrant(deps, caller, 'change a role', () => assertCanGrantPermissions(caller, [...new Set([...existing.permissions, ...permissions])]));
  const role: Role = { ...existing, permissions: [...new Set(permissions)] };
  await deps.store.transaction(async (tx) => {
    await tx.saveRole(role);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'role.updated', actor: caller.actor, data: { role: role.name, permissions: role.permissions, before: existing.permissions } });
  });
  return viewRole(role);
}

/** Deletes a role: its members lose it, and with it their tokens issued for it. */
export async function deleteRole(deps: CoreDeps, caller: Caller, name: string): Promise<void> {
  await requirePermission(deps, caller, 'members.manage', 'delete a role');
  if (name === ADMINISTRATOR_ROLE) throw new RekeyError('conflict', 'The Administrator role is built in and cannot be deleted.');
  const existing = await loadRole(deps, caller.accountId, name);
  await guardGrant(deps, caller, 'delete a role', () => assertCanGrantPermissions(caller, existing.permissions));
  const consumers = await deps.store.transaction(async (tx) => {
    const touched: string[] = [];
    for (const member of await tx.listMembers(caller.accountId)) {
      if (!member.roles.includes(name)) continue;
      const roles = member.roles.filter((role) => role !== name);
      await tx.updateMember({ ...member, roles });
      if (member.removedAt === null) touched.push(...await revokeTokensOfMember(deps, tx, member, { keepRoles: roles, actor: caller.actor, reason: 'role_removed' }));
    }
    await tx.deleteRole(caller.accountId, name);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'role.deleted', actor: caller.actor, data: { role: name, permissions: existing.permissions } });
    return [...new Set(touched)];
  });
  invalidateConsumers(deps, consumers);
}

export interface AdminTokenView {
  id: string;
  name: string;
  memberId: string;
  permissions: string[];
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export function viewAdminToken(token: AdminToken): AdminTokenView {
  const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());
  return JSON.parse(JSON.stringify({
    id: token.id, name: token.name, memberId: token.memberId, permissions: token.permissions, createdAt: iso(token.createdAt),
    expiresAt: iso(token.expiresAt), revokedAt: iso(token.revokedAt), lastUsedAt: iso(token.lastUsedAt),
  })) as AdminTokenView;
}

/** A new admin token for the caller's own member, limited to permissions the caller holds now. */
export async function createAdminToken(deps: CoreDeps, caller: Caller, input: { name: string; permissions?: Permission[]; expiresInSeconds?: number }): Promise<AdminTokenView & { token: string }> {
  const permissions = input.permissions ?? [...caller.permissions];
  await guardGrant(deps, caller, 'create an admin token', () => assertCanGrantPermissions(caller, permissions));
  const now = deps.clock.now();
  const secret = generateCredential('adminToken', deps.random);
  const token: AdminToken = {
    id: newId('atk', deps.random), accountId: caller.accountId, memberId: caller.memberId, name: input.name, tokenHash: deps.keyring.hash(secret),
    permissions: [...new Set(permissions)], createdAt: now, expiresAt: input.expiresInSeconds ? now + input.expiresInSeconds * 1000 : null, revokedAt: null, lastUsedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.insertAdminToken(token);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'admin_token.created', actor: caller.actor, data: { tokenId: token.id, permissions: token.permissions } });
  });
  return { ...viewAdminToken(token), token: secret };
}

export async function revokeAdminToken(deps: CoreDeps, caller: Caller, tokenId: string): Promise<void> {
  const token = await deps.store.getAdminToken(caller.accountId, tokenId);
  if (!token) throw notFound('admin token', tokenId);
  if (token.memberId !== caller.memberId) await requirePermission(deps, caller, 'members.manage', 'revoke another member\'s token');
  if (token.revokedAt !== null) return;
  await deps.store.transaction(async (tx) => {
    await tx.updateAdminToken({ ...token, revokedAt: deps.clock.now() });
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'admin_token.revoked', actor: caller.actor, data: { tokenId } });
  });
}
