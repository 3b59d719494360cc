import { DEFAULT_ACCOUNT_SETTINGS, isValidAccountId, type Account } from './account.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { generateCredential } from '../kernel/credential-format.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import type { AdminToken, Member } from './member.js';
import { newId } from '../kernel/new-id.js';
import { ADMINISTRATOR_ROLE, PERMISSIONS } from './permissions.js';
import { recordAudit } from '../audit/record-audit.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';

export interface InitializeInput {
  accountId: string;
  name: string;
  adminEmail: string;
  /** argon2id hash of the administrator's console password, if one was given. */
  passwordHash: string | null;
}

export interface InitializeResult {
  accountId: string;
  memberId: string;
  adminToken: string;
}

export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * First run: the first account, its Administrator and an admin token. Refuses a non-empty database
 * unless told otherwise (operators adding further accounts).
 */
export async function initializeAccount(
  deps: CoreDeps,
  input: InitializeInput,
  options: { requireEmpty?: boolean } = {},
): Promise<InitializeResult> {
  if (!isValidAccountId(input.accountId))
    throw invalid('/accountId', 'Account ids are 1–32 letters or digits, optionally followed by _SB and 1–3 digits.');
  if (input.name.trim() === '' || input.name.length > 200) throw invalid('/name', 'The account name must be 1–200 characters.');
  if (!EMAIL_PATTERN.test(input.adminEmail)) throw invalid('/adminEmail', 'Not an email address.');
  const now = deps.clock.now();
  const token = generateCredential('adminToken', deps.random);
  const account: Account = {
    id: input.accountId,
    name: input.name,
    kind: input.accountId.includes('_SB') ? 'sandbox' : 'production',
    parentId: null,
    settings: { ...DEFAULT_ACCOUNT_SETTINGS },
    createdAt: now,
  };
  const member: Member = {
    id: newId('mem', deps.random),
    accountId: account.id,
    email: input.adminEmail.toLowerCase(),
    passwordHash: input.passwordHash,
    roles: [ADMINISTRATOR_ROLE],
    createdAt: now,
    removedAt: null,
  };
  const adminToken: AdminToken = {
    id: newId('atk', deps.random),
    accountId: account.id,
    memberId: member.id,
    name: 'initial',
    tokenHash: deps.keyring.hash(token),
    permissions: [...PERMISSIONS],
    createdAt: now,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    if (options.requireEmpty !== false && (await tx.countAccounts()) > 0)
      throw new RekeyError('conflict', 'This database is already initialised; nothing was changed.');
    if (await tx.getAccount(account.id)) throw new RekeyError('conflict', `Account ${account.id} already exists.`);
    await tx.insertAccount(account);
    await tx.insertMember(member);
    await tx.insertAdminToken(adminToken);
    await recordAudit(deps, tx, {
      accountId: account.id,
      type: 'member.created',
      actor: SYSTEM_ACTOR,
      data: { memberId: member.id, roles: member.roles },
    });
    await recordAudit(deps, tx, {
      accountId: account.id,
      type: 'admin_token.created',
      actor: SYSTEM_ACTOR,
      data: { tokenId: adminToken.id, memberId: member.id },
    });
  });
  return { accountId: account.id, memberId: member.id, adminToken: token };
}
