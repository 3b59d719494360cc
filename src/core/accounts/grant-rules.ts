import type { Caller } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { ADMINISTRATOR_ROLE, PERMISSIONS, permissionsOfRoles, type Permission, type Role } from './permissions.js';

/** Nobody grants a role or permission they do not hold themselves (SPEC §1). */
export function assertCanGrantPermissions(caller: Caller, permissions: readonly Permission[]): void {
  const missing = permissions.filter((permission) => !caller.permissions.has(permission));
  if (missing.length > 0) {
    throw new RekeyError('forbidden', `You cannot grant permissions you do not hold: ${missing.join(', ')}.`, { missing });
  }
}

export function assertCanGrantRoles(caller: Caller, roleNames: readonly string[], roles: readonly Role[]): void {
  if (roleNames.includes(ADMINISTRATOR_ROLE)) assertCanGrantPermissions(caller, PERMISSIONS);
  assertCanGrantPermissions(caller, [
    ...permissionsOfRoles(
      roleNames.filter((name) => name !== ADMINISTRATOR_ROLE),
      roles,
    ),
  ]);
}
