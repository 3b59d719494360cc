import type { CoreDeps } from '../kernel/core-deps.js';
import { generateCredential, isWellFormedCredential } from '../kernel/credential-format.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { newId } from '../kernel/new-id.js';
import type { Operator, OperatorToken } from './operator-token.js';

export interface OperatorTokenView {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function viewOperatorToken(token: OperatorToken): OperatorTokenView {
  return {
    id: token.id,
    name: token.name,
    createdAt: iso(token.createdAt)!,
    expiresAt: iso(token.expiresAt),
    revokedAt: iso(token.revokedAt),
  };
}

/** Makes an operator token; the token is returned once and stored only as a keyed hash. */
export async function createOperatorToken(
  deps: CoreDeps,
  actor: Operator,
  input: { name: string; expiresInSeconds?: number },
): Promise<OperatorTokenView & { token: string }> {
  if (input.name.trim() === '' || input.name.length > 200) throw invalid('/name', 'The token name must be 1–200 characters.');
  if (input.expiresInSeconds !== undefined && (!Number.isInteger(input.expiresInSeconds) || input.expiresInSeconds <= 0))
    throw invalid('/expiresInSeconds', 'The expiry must be a positive whole number of seconds.');
  const now = deps.clock.now();
  const token = generateCredential('operatorToken', deps.random);
  const record: OperatorToken = {
    id: newId('opt', deps.random),
    name: input.name,
    tokenHash: deps.keyring.hash(token),
    createdAt: now,
    expiresAt: input.expiresInSeconds === undefined ? null : now + input.expiresInSeconds * 1000,
    revokedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.insertOperatorToken(record);
    await tx.insertOperatorEvent({
      id: newId('evt', deps.random),
      at: now,
      type: 'operator_token.created',
      actor,
      accountId: null,
      data: { tokenId: record.id, name: record.name },
    });
  });
  return { ...viewOperatorToken(record), token };
}

export async function listOperatorTokens(deps: CoreDeps): Promise<OperatorTokenView[]> {
  return (await deps.store.listOperatorTokens()).map(viewOperatorToken);
}

export async function revokeOperatorToken(deps: CoreDeps, actor: Operator, id: string): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (!(await tx.revokeOperatorToken(id, now)))
      throw new RekeyError('not_found', `No live operator token ${id}.`, { resourceType: 'operator_token', resourceId: id });
    await tx.insertOperatorEvent({
      id: newId('evt', deps.random),
      at: now,
      type: 'operator_token.revoked',
      actor,
      accountId: null,
      data: { tokenId: id },
    });
  });
}

/**
 * Resolves `Authorization: Bearer rk_op_…`. An account's admin token is refused here (403): no
 * account's administrator may create or list other accounts (SPEC §13).
 */
export async function authenticateOperatorToken(deps: CoreDeps, token: string): Promise<Operator> {
  if (!isWellFormedCredential(token, 'operatorToken')) {
    if (isWellFormedCredential(token, 'adminToken'))
      throw new RekeyError('forbidden', "An account's admin token cannot act on accounts; use an operator token (rk_op_…).");
    throw new RekeyError('malformed_credential', 'The bearer token is not a Rekey operator token.');
  }
  const record = await deps.store.findOperatorTokenByHash(deps.keyring.hash(token));
  if (!record) throw new RekeyError('bad_secret', 'The operator token is not recognised.');
  if (record.revokedAt !== null) throw new RekeyError('revoked', 'The operator token was revoked.');
  if (record.expiresAt !== null && record.expiresAt <= deps.clock.now()) throw new RekeyError('expired', 'The operator token has expired.');
  return { type: 'operator_token', id: record.id };
}
