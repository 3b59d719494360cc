/** A platform operator's API token (`rk_op_…`, SPEC §13): creates and lists accounts, nothing inside one. */
export interface OperatorToken {
  id: string;
  name: string;
  /** Keyed hash of the token; the token itself is shown once and never stored. */
  tokenHash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/**
 * Who acts as operator: a token, or the host's shell (the CLI, which holds the master key anyway);
 * a leaked-secret reporter key revokes a reported operator token (SPEC §12) and nothing else.
 */
export type Operator = { type: 'operator_token'; id: string } | { type: 'cli'; id: 'rekey' } | { type: 'leak_reporter'; id: string };

export const CLI_OPERATOR: Operator = { type: 'cli', id: 'rekey' };

export type OperatorEventType = 'account.created' | 'operator_token.created' | 'operator_token.revoked' | 'operator_token.leaked';

/** The operator audit log: actions above any one account, kept apart from every account's own log. */
export interface OperatorEvent {
  id: string;
  at: number;
  type: OperatorEventType;
  actor: Operator;
  accountId: string | null;
  data: Record<string, unknown>;
}
