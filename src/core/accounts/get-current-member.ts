import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { notFound } from '../kernel/errors.js';
import { viewMember, type MemberView } from './manage-members.js';
import { PERMISSIONS, type Permission } from './permissions.js';

export type CurrentMemberView = MemberView & { accountId: string; permissions: Permission[] };

/** GET /v1/members/me: the calling member and the permissions it holds right now. */
export async function getCurrentMember(deps: CoreDeps, caller: Caller): Promise<CurrentMemberView> {
  const member = await deps.store.getMember(caller.accountId, caller.memberId);
  if (!member) throw notFound('member', caller.memberId);
  return {
    ...viewMember(member),
    accountId: caller.accountId,
    permissions: PERMISSIONS.filter((permission) => caller.permissions.has(permission)),
  };
}
