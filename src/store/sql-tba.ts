import type { ConsoleSession, Member } from '../core/accounts/index.js';
import type { Bundle, Installation, TbaStore, ThrottleWindow, TbaToken } from '../core/tba/index.js';
import type { SqlDb } from './sql-db.js';
import { type Row, num, numOrNull, str, strOrNull } from './sql-row.js';



const toToken = (row: Row): TbaToken => ({
  id: str(row.id),
  clientId: str(row.client_id),
  consumerClientId: str(row.consumer_client_id),
  accountId: str(row.account_id),
  memberId: str(row.member_id),
  role: str(row.role),
  secretHash: str(row.secret_hash),
  secretCiphertext: str(row.secret_ciphertext),
  createdAt: num(row.created_at),
  revokedAt: numOrNull(row.revoked_at),
  revokedReason: strOrNull(row.revoked_reason),
});

const toBundle = (row: Row): Bundle => ({
  id: str(row.id),
  clientId: str(row.client_id),
  accountId: str(row.account_id),
  createdAt: num(row.created_at),
});

const toInstallation = (row: Row): Installation => ({
  clientId: str(row.client_id),
  bundleId: str(row.bundle_id),
  sourceClientId: str(row.source_client_id),
  accountId: str(row.account_id),
  installedAt: num(row.installed_at),
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

const toMember = (row: Row): Member => ({
  id: str(row.id),
  accountId: str(row.account_id),
  email: str(row.email),
  passwordHash: strOrNull(row.password_hash),
  roles: JSON.parse(str(row.roles)),
  createdAt: num(row.created_at),
  removedAt: numOrNull(row.removed_at),
});

const toThrottle = (row: Row): ThrottleWindow => ({ key: str(row.throttle_key), windowStart: num(row.window_start), failures: num(row.failures) });

/** SQL for the TbaStore port; the same statements serve SQLite and PostgreSQL. */
export function tbaSql(db: SqlDb): TbaStore {
  return {
    async insertToken(token) {
      await db.run(
        'INSERT INTO tba_tokens (id, client_id, consumer_client_id, account_id, member_id, role, secret_hash, secret_ciphertext, created_at, revoked_at, revoked_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [token.id, token.clientId, token.consumerClientId, token.accountId, token.memberId, token.role, token.secretHash, token.secretCiphertext, token.createdAt, token.revokedAt, token.revokedReason],
      );
    },
    async revokeTokens(ids, at, reason) {
      for (const id of ids) {
        await db.run('UPDATE tba_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL', [at, reason, id]);
      }
    },
    async getToken(id) {
      const [row] = await db.all<Row>('SELECT * FROM tba_tokens WHERE id = ?', [id]);
      return row ? toToken(row) : null;
    },
    async listTokensOfClient(clientId, { includeRevoked }) {
      const sql = `SELECT * FROM tba_tokens WHERE client_id = ?${includeRevoked ? '' : ' AND revoked_at IS NULL'} ORDER BY created_at, id`;
      return (await db.all<Row>(sql, [clientId])).map(toToken);
    },
    async listTokensOfConsumer(consumerClientId) {
      return (await db.all<Row>('SELECT * FROM tba_tokens WHERE consumer_client_id = ?', [consumerClientId])).map(toToken);
    },
    async listActiveTokensOfMember(accountId, memberId) {
      return (await db.all<Row>('SELECT * FROM tba_tokens WHERE account_id = ? AND member_id = ? AND revoked_at IS NULL ORDER BY created_at, id', [accountId, memberId])).map(toToken);
    },

    async findConsumerKey(consumerKey) {
      const [current] = await db.all<Row>("SELECT id FROM clients WHERE consumer_key = ? AND profile = 'tba'", [consumerKey]);
      if (current) return { clientId: str(current.id), retired: false };
      const [retired] = await db.all<Row>('SELECT client_id FROM tba_retired_consumer_keys WHERE consumer_key = ?', [consumerKey]);
      return retired ? { clientId: str(retired.client_id), retired: true } : null;
    },
    async retireConsumerKey(consumerKey, clientId, at) {
      await db.run('INSERT INTO tba_retired_consumer_keys (consumer_key, client_id, retired_at) VALUES (?, ?, ?) ON CONFLICT (consumer_key) DO NOTHING', [consumerKey, clientId, at]);
    },

    async insertBundle(bundle) {
      await db.run('INSERT INTO tba_bundles (id, client_id, account_id, created_at) VALUES (?, ?, ?, ?)', [bundle.id, bundle.clientId, bundle.accountId, bundle.createdAt]);
    },
    async getBundle(id) {
      const [row] = await db.all<Row>('SELECT * FROM tba_bundles WHERE id = ?', [id]);
      return row ? toBundle(row) : null;
    },
    async listBundlesOfClient(clientId) {
      return (await db.all<Row>('SELECT * FROM tba_bundles WHERE client_id = ? ORDER BY created_at, id', [clientId])).map(toBundle);
    },
    async insertInstallation(installation) {
      await db.run('INSERT INTO tba_installations (client_id, bundle_id, source_client_id, account_id, installed_at) VALUES (?, ?, ?, ?, ?)', [
        installation.clientId, installation.bundleId, installation.sourceClientId, installation.accountId, installation.installedAt,
      ]);
    },
    async getInstallation(clientId) {
      const [row] = await db.all<Row>('SELECT * FROM tba_installations WHERE client_id = ?', [clientId]);
      return row ? toInstallation(row) : null;
    },
    async findInstallation(bundleId, accountId) {
      const [row] = await db.all<Row>('SELECT * FROM tba_installations WHERE bundle_id = ? AND account_id = ?', [bundleId, accountId]);
      return row ? toInstallation(row) : null;
    },
    async listInstallations(sourceClientId) {
      return (await db.all<Row>('SELECT * FROM tba_installations WHERE source_client_id = ? ORDER BY installed_at, client_id', [sourceClientId])).map(toInstallation);
    },

    async findMemberByEmail(accountId, email) {
      const [row] = await db.all<Row>('SELECT * FROM members WHERE account_id = ? AND email = ? AND removed_at IS NULL', [accountId, email]);
      return row ? toMember(row) : null;
    },

    async insertSession(session) {
      await db.run(
        'INSERT INTO console_sessions (id, account_id, member_id, token_hash, csrf_hash, created_at, last_seen_at, expires_at, revoked_at, revoked_reason, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [session.id, session.accountId, session.memberId, session.tokenHash, session.csrfHash, session.createdAt, session.lastSeenAt, session.expiresAt, session.revokedAt, session.revokedReason, session.address, session.userAgent],
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
      return (await db.all<Row>(`SELECT * FROM sign_in_throttle WHERE throttle_key IN (${keys.map(() => '?').join(', ')})`, keys)).map(toThrottle);
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
