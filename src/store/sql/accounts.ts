import type { AccountsStore, AdminToken, ConsoleSession, Member, Role, ThrottleWindow } from '../../core/accounts/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, numOrNull, str, strOrNull, toAccount } from './row.js';

const toMember = (row: Row): Member => ({
  id: str(row.id),
  accountId: str(row.account_id),
  email: str(row.email),
  passwordHash: strOrNull(row.password_hash),
  roles: JSON.parse(str(row.roles)),
  createdAt: num(row.created_at),
  removedAt: numOrNull(row.removed_at),
});

const toRole = (row: Row): Role => ({
  accountId: str(row.account_id),
  name: str(row.name),
  permissions: JSON.parse(str(row.permissions)),
  createdAt: num(row.created_at),
});

const toAdminToken = (row: Row): AdminToken => ({
  id: str(row.id),
  accountId: str(row.account_id),
  memberId: str(row.member_id),
  name: str(row.name),
  tokenHash: str(row.token_hash),
  permissions: JSON.parse(str(row.permissions)),
  createdAt: num(row.created_at),
  expiresAt: numOrNull(row.expires_at),
  revokedAt: numOrNull(row.revoked_at),
  lastUsedAt: numOrNull(row.last_used_at),
});

const toSession = (row: Row): ConsoleSession => ({
  id: str(row.id),
  accountId: str(row.account_id),
  memberId: str(row.member_id),
  tokenHash: str(row.token_hash),
  csrfHash: str(row.csrf_hash),
  createdAt: num(row.created_at),
  lastSeenAt: num(row.last_seen_at),
  expiresAt: num(row.expires_at),
  revokedAt: numOrNull(row.revoked_at),
  revokedReason: strOrNull(row.revoked_reason),
  address: str(row.address),
  userAgent: strOrNull(row.user_agent),
});

const toThrottle = (row: Row): ThrottleWindow => ({
  key: str(row.throttle_key),
  windowStart: num(row.window_start),
  failures: num(row.failures),
});

/** SQL for the AccountsStore port; the same statements serve SQLite and PostgreSQL. */
export function accountsSql(db: SqlDb): AccountsStore {
  return {
    async countAccounts() {
      const [row] = await db.all<Row>('SELECT COUNT(*) AS n FROM accounts');
      return num(row?.n ?? 0);
    },
    async insertAccount(account) {
      await db.run('INSERT INTO accounts (id, name, kind, parent_id, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        account.id,
        account.name,
        account.kind,
        account.parentId,
        JSON.stringify(account.settings),
        account.createdAt,
      ]);
    },
    async getAccount(id) {
      const [row] = await db.all<Row>('SELECT * FROM accounts WHERE id = ?', [id]);
      return row ? toAccount(row) : null;
    },
    async lockAccount(accountId) {
      // SQLite's BEGIN IMMEDIATE already holds the database write lock.
      if (db.dialect === 'postgres') await db.all('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [accountId]);
    },

    async insertMember(member) {
      await db.run(
        'INSERT INTO members (id, account_id, email, password_hash, roles, created_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [member.id, member.accountId, member.email, member.passwordHash, JSON.stringify(member.roles), member.createdAt, member.removedAt],
      );
    },
    async updateMember(member) {
      await db.run('UPDATE members SET email = ?, password_hash = ?, roles = ?, removed_at = ? WHERE id = ?', [
        member.email,
        member.passwordHash,
        JSON.stringify(member.roles),
        member.removedAt,
        member.id,
      ]);
    },
    async getMember(accountId, id) {
      const [row] = await db.all<Row>('SELECT * FROM members WHERE account_id = ? AND id = ?', [accountId, id]);
      return row ? toMember(row) : null;
    },
    async findMemberByEmail(accountId, email) {
      const [row] = await db.all<Row>('SELECT * FROM members WHERE account_id = ? AND email = ? AND removed_at IS NULL', [
        accountId,
        email,
      ]);
      return row ? toMember(row) : null;
    },
    async listMembers(accountId) {
      return (await db.all<Row>('SELECT * FROM members WHERE account_id = ? ORDER BY created_at, id', [accountId])).map(toMember);
    },

    async saveRole(role) {
      await db.run(
        'INSERT INTO roles (account_id, name, permissions, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, name) DO UPDATE SET permissions = excluded.permissions',
        [role.accountId, role.name, JSON.stringify(role.permissions), role.createdAt],
      );
    },
    async deleteRole(accountId, name) {
      await db.run('DELETE FROM roles WHERE account_id = ? AND name = ?', [accountId, name]);
    },
    async listRoles(accountId) {
      return (await db.all<Row>('SELECT * FROM roles WHERE account_id = ? ORDER BY name', [accountId])).map(toRole);
    },

    async insertAdminToken(token) {
      await db.run(
        'INSERT INTO admin_tokens (id, account_id, member_id, name, token_hash, permissions, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          token.id,
          token.accountId,
          token.memberId,
          token.name,
          token.tokenHash,
          JSON.stringify(token.permissions),
          token.createdAt,
          token.expiresAt,
          token.revokedAt,
          token.lastUsedAt,
        ],
      );
    },
    async updateAdminToken(token) {
      await db.run('UPDATE admin_tokens SET name = ?, permissions = ?, expires_at = ?, revoked_at = ?, last_used_at = ? WHERE id = ?', [
        token.name,
        JSON.stringify(token.permissions),
        token.expiresAt,
        token.revokedAt,
        token.lastUsedAt,
        token.id,
      ]);
    },
    async findAdminTokenByHash(tokenHash) {
      const [row] = await db.all<Row>('SELECT * FROM admin_tokens WHERE token_hash = ?', [tokenHash]);
      return row ? toAdminToken(row) : null;
    },
    async getAdminToken(accountId, id) {
      const [row] = await db.all<Row>('SELECT * FROM admin_tokens WHERE account_id = ? AND id = ?', [accountId, id]);
      return row ? toAdminToken(row) : null;
    },
    async listAdminTokens(accountId) {
      return (await db.all<Row>('SELECT * FROM admin_tokens WHERE account_id = ? ORDER BY created_at, id', [accountId])).map(toAdminToken);
    },

    async insertSession(session) {
      await db.run(
        'INSERT INTO console_sessions (id, account_id, member_id, token_hash, csrf_hash, created_at, last_seen_at, expires_at, revoked_at, revoked_reason, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          session.id,
          session.accountId,
          session.memberId,
          session.tokenHash,
          session.csrfHash,
          session.createdAt,
          session.lastSeenAt,
          session.expiresAt,
          session.revokedAt,
          session.revokedReason,
          session.address,
          session.userAgent,
        ],
      );
    },
    async findSessionByTokenHash(tokenHash) {
      const [row] = await db.all<Row>('SELECT * FROM console_sessions WHERE token_hash = ?', [tokenHash]);
      return row ? toSession(row) : null;
    },
    async getSession(accountId, id) {
      const [row] = await db.all<Row>('SELECT * FROM console_sessions WHERE account_id = ? AND id = ?', [accountId, id]);
      return row ? toSession(row) : null;
    },
    async listActiveSessions(accountId, memberId, now) {
      const params: unknown[] = [accountId, now];
      let sql = 'SELECT * FROM console_sessions WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ?';
      if (memberId !== null) {
        sql += ' AND member_id = ?';
        params.push(memberId);
      }
      return (await db.all<Row>(`${sql} ORDER BY created_at DESC, id`, params)).map(toSession);
    },
    async touchSession(id, at) {
      await db.run('UPDATE console_sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [at, id, at]);
    },
    async revokeSessions(accountId, scope, at, reason) {
      const where = ['account_id = ?', 'revoked_at IS NULL'];
      const params: unknown[] = [at, reason, accountId];
      if (scope.sessionId !== undefined) {
        where.push('id = ?');
        params.push(scope.sessionId);
      }
      if (scope.memberId !== undefined) {
        where.push('member_id = ?');
        params.push(scope.memberId);
      }
      if (scope.exceptSessionId !== undefined) {
        where.push('id <> ?');
        params.push(scope.exceptSessionId);
      }
      return db.run(`UPDATE console_sessions SET revoked_at = ?, revoked_reason = ? WHERE ${where.join(' AND ')}`, params);
    },

    async readThrottles(keys) {
      if (keys.length === 0) return [];
      return (await db.all<Row>(`SELECT * FROM sign_in_throttle WHERE throttle_key IN (${keys.map(() => '?').join(', ')})`, keys)).map(
        toThrottle,
      );
    },
    async addThrottleFailure(key, now, windowMs) {
      // One statement, so concurrent failures on several nodes all count.
      const [row] = await db.all<Row>(
        `INSERT INTO sign_in_throttle (throttle_key, window_start, failures) VALUES (?, ?, 1)
         ON CONFLICT (throttle_key) DO UPDATE SET
           failures = CASE WHEN sign_in_throttle.window_start <= ? THEN 1 ELSE sign_in_throttle.failures + 1 END,
           window_start = CASE WHEN sign_in_throttle.window_start <= ? THEN excluded.window_start ELSE sign_in_throttle.window_start END
         RETURNING throttle_key, window_start, failures`,
        [key, now, now - windowMs, now - windowMs],
      );
      return row ? toThrottle(row) : { key, windowStart: now, failures: 1 };
    },
    async clearThrottle(key) {
      await db.run('DELETE FROM sign_in_throttle WHERE throttle_key = ?', [key]);
    },
  };
}
