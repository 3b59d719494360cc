import type { Caller, CoreDeps } from './core-deps.js';
import { RekeyError, invalid, notFound } from './errors.js';
import { assertCanGrantPermissions, assertCanGrantRoles } from './grant-rules.js';
import { EMAIL_PATTERN } from './initialize-account.js';
import { generateCredential } from './credential-format.js';
import type { AdminToken, Member } from './member.js';
import { newId } from './new-id.js';
import { ADMINISTRATOR_ROLE, type Permission, type Role } from './permissions.js';
import { recordAudit } from './record-audit.js';
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
  assertCanGrantRoles(caller, input.roles, roles);
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
  assertCanGrantRoles(caller, [...added, ...removed], roles);
  const updated: Member = { ...member, roles: [...new Set(roleNames)] };
  await deps.store.transaction(async (tx) => {
    await tx.updateMember(updated);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.updated', actor: caller.actor, data: { memberId, added, removed } });
  });
  return viewMember(updated);
}

export async function removeMember(deps: CoreDeps, caller: Caller, memberId: string): Promise<void> {
  await requirePermission(deps, caller, 'members.manage', 'remove a member');
  const member = await deps.store.getMember(caller.accountId, memberId);
  if (!member || member.removedAt !== null) throw notFound('member', memberId);
  const roles = await deps.store.listRoles(caller.accountId);
  assertCanGrantRoles(caller, member.roles, roles);
  await deps.store.transaction(async (tx) => {
    await tx.updateMember({ ...member, removedAt: deps.clock.now() });
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'member.removed', actor: caller.actor, data: { memberId } });
  });
}

export async function saveRole(deps: CoreDeps, caller: Caller, input: { name: string; permissions: Permission[] }): Promise<Role> {
  await requirePermission(deps, caller, 'members.manage', 'define a role');
  if (input.name === ADMINISTRATOR_ROLE) throw new RekeyError('conflict', 'The Administrator role is built in and cannot be changed.');
  assertCanGrantPermissions(caller, input.permissions);
  const existing = (await deps.store.listRoles(caller.accountId)).find((role) => role.name === input.name);
  const role: Role = { accountId: caller.accountId, name: input.name, permissions: [...new Set(input.permissions)], createdAt: existing?.createdAt ?? deps.clock.now() };
  await deps.store.transaction(async (tx) => {
    await tx.saveRole(role);
    await recordAudit(deps, tx, { accountId: caller.accountId, type: existing ? 'role.updated' : 'role.created', actor: caller.actor, data: { role: role.name, permissions: role.permissions } });
  });
  return role;
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
  assertCanGrantPermissions(caller, permissions);
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
