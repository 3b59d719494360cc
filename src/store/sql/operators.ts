import type { OperatorEvent, OperatorsStore, OperatorToken } from '../../core/operators/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, numOrNull, str, strOrNull, toAccount } from './row.js';

const toOperatorToken = (row: Row): OperatorToken => ({
  id: str(row.id),
  name: str(row.name),
  tokenHash: str(row.token_hash),
  createdAt: num(row.created_at),
  expiresAt: numOrNull(row.expires_at),
  revokedAt: numOrNull(row.revoked_at),
});

const toOperatorEvent = (row: Row): OperatorEvent => ({
  id: str(row.id),
  at: num(row.at),
  type: str(row.type) as OperatorEvent['type'],
  actor: (str(row.actor_type) === 'cli'
    ? { type: 'cli', id: 'rekey' }
    : {
        type: str(row.actor_type) === 'leak_reporter' ? 'leak_reporter' : 'operator_token',
        id: str(row.actor_id),
      }) as OperatorEvent['actor'],
  accountId: strOrNull(row.account_id),
  data: JSON.parse(str(row.data)) as Record<string, unknown>,
});

/** SQL for the OperatorsStore port; the same statements serve SQLite and PostgreSQL. */
export function operatorsSql(db: SqlDb): OperatorsStore {
  return {
    async insertOperatorToken(token) {
      await db.run('INSERT INTO operator_tokens (id, name, token_hash, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)', [
        token.id,
        token.name,
        token.tokenHash,
        token.createdAt,
        token.expiresAt,
        token.revokedAt,
      ]);
    },
    async findOperatorTokenByHash(tokenHash) {
      const [row] = await db.all<Row>('SELECT * FROM operator_tokens WHERE token_hash = ?', [tokenHash]);
      return row ? toOperatorToken(row) : null;
    },
    async listOperatorTokens() {
      return (await db.all<Row>('SELECT * FROM operator_tokens ORDER BY created_at, id')).map(toOperatorToken);
    },
    async revokeOperatorToken(id, at) {
      return (await db.run('UPDATE operator_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])) > 0;
    },
    async insertOperatorEvent(event) {
      await db.run('INSERT INTO operator_events (id, at, type, actor_type, actor_id, account_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        event.id,
        event.at,
        event.type,
        event.actor.type,
        event.actor.id,
        event.accountId,
        JSON.stringify(event.data),
      ]);
    },
    async listOperatorEvents(limit) {
      return (await db.all<Row>('SELECT * FROM operator_events ORDER BY at DESC, id DESC LIMIT ?', [limit])).map(toOperatorEvent);
    },
    async listAccounts() {
      return (await db.all<Row>('SELECT * FROM accounts ORDER BY created_at, id')).map(toAccount);
    },
  };
}
