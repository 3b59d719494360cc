import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, notFound } from '../kernel/errors.js';
import { assertCanGrantPermissions } from './grant-rules.js';
import { ADMINISTRATOR_ROLE, PERMISSIONS, type Permission, type Role } from './permissions.js';
import { guardGrant } from './guard-grant.js';
import { invalidateConsumers, revokeTokensOfMember } from '../tba/manage-tokens.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from './require-permission.js';

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
  return [
    { name: ADMINISTRATOR_ROLE, permissions: [...PERMISSIONS], builtIn: true },
    ...(await deps.store.listRoles(caller.accountId)).map(viewRole),
  ];
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
  const role: Role = {
    accountId: caller.accountId,
    name: input.name,
    permissions: [...new Set(input.permissions)],
    createdAt: deps.clock.now(),
  };
  await deps.store.transaction(async (tx) => {
    if ((await tx.listRoles(caller.accountId)).some((candidate) => candidate.name === input.name))
      throw new RekeyError('conflict', `A role named "${input.name}" already exists; change it with PUT /v1/roles/{name}.`);
    await tx.saveRole(role);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'role.created',
      actor: caller.actor,
      data: { role: role.name, permissions: role.permissions },
    });
  });
  return viewRole(role);
}

/** Changes a role's permissions. The caller must hold every permission it had and will have. */
export async function updateRole(deps: CoreDeps, caller: Caller, name: string, permissions: Permission[]): Promise<RoleView> {
  await requirePermission(deps, caller, 'members.manage', 'change a role');
  if (name === ADMINISTRATOR_ROLE) throw new RekeyError('conflict', 'The Administrator role is built in and cannot be changed.');
  const existing = await loadRole(deps, caller.accountId, name);
  await guardGrant(deps, caller, 'change a role', () =>
    assertCanGrantPermissions(caller, [...new Set([...existing.permissions, ...permissions])]),
  );
  const role: Role = { ...existing, permissions: [...new Set(permissions)] };
  await deps.store.transaction(async (tx) => {
    await tx.saveRole(role);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'role.updated',
      actor: caller.actor,
      data: { role: role.name, permissions: role.permissions, before: existing.permissions },
    });
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
      if (member.removedAt === null)
        touched.push(...(await revokeTokensOfMember(deps, tx, member, { keepRoles: roles, actor: caller.actor, reason: 'role_removed' })));
    }
    await tx.deleteRole(caller.accountId, name);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'role.deleted',
      actor: caller.actor,
      data: { role: name, permissions: existing.permissions },
    });
    return [...new Set(touched)];
  });
  invalidateConsumers(deps, consumers);
}
