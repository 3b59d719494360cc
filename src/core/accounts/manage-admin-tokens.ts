import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { notFound } from '../kernel/errors.js';
import { assertCanGrantPermissions } from './grant-rules.js';
import { generateCredential } from '../kernel/credential-format.js';
import type { AdminToken } from './member.js';
import { newId } from '../kernel/new-id.js';
import { type Permission } from './permissions.js';
import { guardGrant } from './guard-grant.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from './require-permission.js';

/** Admin tokens: the caller's own, or the whole account's with members.manage. */
export async function listAdminTokens(deps: CoreDeps, caller: Caller): Promise<AdminTokenView[]> {
  const all = await deps.store.listAdminTokens(caller.accountId);
  const visible = caller.permissions.has('members.manage') ? all : all.filter((token) => token.memberId === caller.memberId);
  return visible.map(viewAdminToken);
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
  return JSON.parse(
    JSON.stringify({
      id: token.id,
      name: token.name,
      memberId: token.memberId,
      permissions: token.permissions,
      createdAt: iso(token.createdAt),
      expiresAt: iso(token.expiresAt),
      revokedAt: iso(token.revokedAt),
      lastUsedAt: iso(token.lastUsedAt),
    }),
  ) as AdminTokenView;
}

/** A new admin token for the caller's own member, limited to permissions the caller holds now. */
export async function createAdminToken(
  deps: CoreDeps,
  caller: Caller,
  input: { name: string; permissions?: Permission[]; expiresInSeconds?: number },
): Promise<AdminTokenView & { token: string }> {
  const permissions = input.permissions ?? [...caller.permissions];
  await guardGrant(deps, caller, 'create an admin token', () => assertCanGrantPermissions(caller, permissions));
  const now = deps.clock.now();
  const secret = generateCredential('adminToken', deps.random);
  const token: AdminToken = {
    id: newId('atk', deps.random),
    accountId: caller.accountId,
    memberId: caller.memberId,
    name: input.name,
    tokenHash: deps.keyring.hash(secret),
    permissions: [...new Set(permissions)],
    createdAt: now,
    expiresAt: input.expiresInSeconds ? now + input.expiresInSeconds * 1000 : null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.insertAdminToken(token);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'admin_token.created',
      actor: caller.actor,
      data: { tokenId: token.id, permissions: token.permissions },
    });
  });
  return { ...viewAdminToken(token), token: secret };
}

export async function revokeAdminToken(deps: CoreDeps, caller: Caller, tokenId: string): Promise<void> {
  const token = await deps.store.getAdminToken(caller.accountId, tokenId);
  if (!token) throw notFound('admin token', tokenId);
  if (token.memberId !== caller.memberId) await requirePermission(deps, caller, 'members.manage', "revoke another member's token");
  if (token.revokedAt !== null) return;
  await deps.store.transaction(async (tx) => {
    await tx.updateAdminToken({ ...token, revokedAt: deps.clock.now() });
    await recordAudit(deps, tx, { accountId: caller.accountId, type: 'admin_token.revoked', actor: caller.actor, data: { tokenId } });
  });
}
