import type { Account } from '../accounts/account.js';
import type { OperatorEvent, OperatorToken } from './operator-token.js';

/** The operators' port: their tokens, their audit log, and the list of every account. */
export interface OperatorsStore {
  insertOperatorToken(token: OperatorToken): Promise<void>;
  findOperatorTokenByHash(tokenHash: string): Promise<OperatorToken | null>;
  listOperatorTokens(): Promise<OperatorToken[]>;
  /** Sets `revokedAt` once; false when no such token was live. */
  revokeOperatorToken(id: string, at: number): Promise<boolean>;
  insertOperatorEvent(event: OperatorEvent): Promise<void>;
  listOperatorEvents(limit: number): Promise<OperatorEvent[]>;
  /** Every account, sandboxes included, oldest first. */
  listAccounts(): Promise<Account[]>;
}
