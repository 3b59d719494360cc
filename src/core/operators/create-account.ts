import type { Account } from '../accounts/account.js';
import { initializeAccount, type InitializeInput, type InitializeResult } from '../accounts/initialize-account.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { invalid } from '../kernel/errors.js';
import { newId } from '../kernel/new-id.js';
import type { Operator } from './operator-token.js';

/** Account ids ending in `_SB<n>` are sandboxes, made from their parent account only (SPEC §13). */
const SANDBOX_ID = /_SB\d+$/;

/**
 * A further tenant on a database that already has accounts: the same account, Administrator and
 * admin token as `init`, recorded in the operator audit log.
 */
export async function createAccount(deps: CoreDeps, actor: Operator, input: InitializeInput): Promise<InitializeResult> {
  if (SANDBOX_ID.test(input.accountId)) throw invalid('/accountId', 'Account ids ending in _SB<n> are reserved for sandboxes.');
  const result = await initializeAccount(deps, input, { requireEmpty: false });
  await deps.store.insertOperatorEvent({
    id: newId('evt', deps.random),
    at: deps.clock.now(),
    type: 'account.created',
    actor,
    accountId: result.accountId,
    data: { memberId: result.memberId },
  });
  return result;
}

export interface AccountSummary {
  accountId: string;
  name: string;
  kind: Account['kind'];
  parentId: string | null;
  createdAt: string;
}

export async function listAccounts(deps: CoreDeps): Promise<AccountSummary[]> {
  return (await deps.store.listAccounts()).map((account) => ({
    accountId: account.id,
    name: account.name,
    kind: account.kind,
    parentId: account.parentId,
    createdAt: new Date(account.createdAt).toISOString(),
  }));
}
