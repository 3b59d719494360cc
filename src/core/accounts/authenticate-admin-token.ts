import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { isWellFormedCredential } from '../kernel/credential-format.js';
import { RekeyError } from '../kernel/errors.js';
import { intersectPermissions, isPermission, permissionsOfRoles } from './permissions.js';

/**
 * Resolves `Authorization: Bearer rk_adm_…` to a caller. Permissions are computed now, as the
 * intersection of the token's set and its member's current roles, so removing a member or a role
 * limits the token at once.
 */
export async function authenticateAdminToken(deps: CoreDeps, token: string): Promise<Caller> {
  if (!isWellFormedCredential(token, 'adminToken')) {
    throw new RekeyError('malformed_credential', 'The bearer token is not a Rekey admin token.');
  }
  const record = await deps.store.findAdminTokenByHash(deps.keyring.hash(token));
  if (!record) throw new RekeyError('bad_secret', 'The admin token is not recognised.');
  const now = deps.clock.now();
  if (record.revokedAt !== null) throw new RekeyError('revoked', 'The admin token was revoked.');
  if (record.expiresAt !== null && record.expiresAt <= now) throw new RekeyError('expired', 'The admin token has expired.');
  const member = await deps.store.getMember(record.accountId, record.memberId);
  if (!member || member.removedAt !== null) throw new RekeyError('revoked', 'The member who owns this token was removed.');
  const roles = await deps.store.listRoles(record.accountId);
  const held = permissionsOfRoles(member.roles, roles);
  return {
    accountId: record.accountId,
    memberId: member.id,
    actor: { type: 'admin_token', id: record.id, memberId: member.id },
    permissions: intersectPermissions(record.permissions.filter(isPermission), held),
  };
}
