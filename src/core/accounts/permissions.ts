/** The closed list of permissions (SPEC §1). */
export const PERMISSIONS = [
  'credentials.read',
  'credentials.manage',
  'credentials.verify',
  /** POST /v1/verify with `sourceAddress`: lockout and throttles count against the end client's address. */
  'credentials.verify.forwarded',
  'apps.manage',
  'members.manage',
  'accounts.manage',
  'audit.read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ADMINISTRATOR_ROLE = 'Administrator';

export interface Role {
  accountId: string;
  name: string;
  permissions: Permission[];
  createdAt: number;
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** A member's permissions: the union over its roles; Administrator holds all. */
export function permissionsOfRoles(roleNames: readonly string[], roles: readonly Role[]): Set<Permission> {
  if (roleNames.includes(ADMINISTRATOR_ROLE)) return new Set(PERMISSIONS);
  const granted = new Set<Permission>();
  for (const role of roles) {
    if (!roleNames.includes(role.name)) continue;
    for (const permission of role.permissions) granted.add(permission);
  }
  return granted;
}

/** An admin token acts with the live intersection of its chosen set and its member's permissions. */
export function intersectPermissions(chosen: readonly Permission[], held: ReadonlySet<Permission>): Set<Permission> {
  return new Set(chosen.filter((permission) => held.has(permission)));
}
