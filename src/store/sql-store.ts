import type { AuditEvent } from '../core/audit/index.js';
import type { WrappedKeyMaterial, AuditFilter, ChangeNotice, FailureAggregate, IdempotencyRecord, Page, Store, UsageUpdate } from '../core/kernel/index.js';
import { type AdminToken, type Member, type Role, SIGN_IN_WINDOW_MS } from '../core/accounts/index.js';
import { THROTTLE_WINDOW_MS } from '../core/auth/index.js';
import type { SqlDb } from './sql-db.js';
import { appsSql } from './sql-apps.js';
import { oauthSql } from './sql-oauth.js';
import { portalSql } from './sql-portal.js';
import { registrationSql } from './sql-registration.js';
import { tbaSql } from './sql-tba.js';
import { type Row, num, numOrNull, str, strOrNull, toClient, toVersion, toAccount, toOutbox } from './sql-row.js';

/** How long an address's failure counter (or lapsed lock) outlives its last update. */
export const SOURCE_LOCKOUT_RETENTION_MS = 24 * 60 * 60 * 1000;

/** PostgreSQL advisory lock (with the schema as second key) serialising appends to the change log. */
const CHANGE_LOG_LOCK = 7_301_262;

function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor) return null;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && typeof parts[0] === 'number' && typeof parts[1] === 'string') return [parts[0], parts[1]];
  } catch {
    // fall through: an unreadable cursor starts from the beginning
  }
  return null;
}

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

const toAuditEvent = (row: Row): AuditEvent => ({
  id: str(row.id),
  accountId: str(row.account_id),
  at: num(row.at),
  type: str(row.type) as AuditEvent['type'],
  actor: {
    type: str(row.actor_type) as AuditEvent['actor']['type'],
    id: str(row.actor_id),
    ...(row.actor_member_id ? { memberId: str(row.actor_member_id) } : {}),
  },
  clientId: strOrNull(row.client_id),
  versionId: strOrNull(row.version_id),
  code: strOrNull(row.code),
  count: num(row.count),
  data: JSON.parse(str(row.data)),
});

/** The Store over any SqlDb: the same SQL serves SQLite and PostgreSQL. */
// An expired row with the same nonce is taken over; a live one means replay.
const CLAIM_NONCE_SQL =
  'INSERT INTO nonces (scope, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (scope, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?';

async function insertNonce(db: SqlDb, scope: string, nonce: string, expiresAt: number, now: number): Promise<boolean> {
  return (await db.run(CLAIM_NONCE_SQL, [scope, nonce, expiresAt, now])) > 0;
}

/**
 * Group commit for the one write on the signed-request hot path: claims that arrive in the same
 * turn of the event loop share one SQLite transaction instead of paying a commit each. Each claim
 * still gets its own answer, and a replay within one batch loses to the first claim.
 */
function groupedNonceClaims(db: SqlDb): Store['claimNonce'] {
  type Claim = { params: [string, string, number, number]; resolve: (fresh: boolean) => void; reject: (error: unknown) => void };
  let pending: Claim[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    db.transaction(async (tx) => {
      const answers: boolean[] = [];
      for (const claim of batch) answers.push((await tx.run(CLAIM_NONCE_SQL, claim.params)) > 0);
      return answers;
    }).then(
      (answers) => batch.forEach((claim, index) => claim.resolve(answers[index]!)),
      (error: unknown) => batch.forEach((claim) => claim.reject(error)),
    );
  };
  return (scope, nonce, expiresAt, now) =>
    new Promise<boolean>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ params: [scope, nonce, expiresAt, now], resolve, reject });
    });
}

export interface SqlStoreOptions {
  /** Batch nonce claims into shared transactions (SQLite, where every commit is a WAL write). */
  groupNonces?: boolean;
}

export function createSqlStore(db: SqlDb, options: SqlStoreOptions = {}): Store {
  const store: Store = {
    transaction: (work) => db.transaction((tx) => work(tx === db ? store : createSqlStore(tx))),

    async getKeyMaterial() {
      const [row] = await db.all<Row>('SELECT * FROM keyring WHERE id = ?', ['main']);
      if (!row) return null;
      return {
        masterFingerprint: str(row.master_fingerprint),
        wrappedDataKey: str(row.wrapped_data_key),
        wrappedPepper: str(row.wrapped_pepper),
        wrappedSignedUrlSalt: str(row.wrapped_signed_url_salt),
      } satisfies WrappedKeyMaterial;
    },
    async saveKeyMaterial(wrapped, { replace }) {
      const values = [wrapped.masterFingerprint, wrapped.wrappedDataKey, wrapped.wrappedPepper, wrapped.wrappedSignedUrlSalt, Date.now()];
      if (replace) {
        await db.run(
          'UPDATE keyring SET master_fingerprint = ?, wrapped_data_key = ?, wrapped_pepper = ?, wrapped_signed_url_salt = ?, updated_at = ? WHERE id = ?',
          [...values, 'main'],
        );
      } else {
        await db.run(
          'INSERT INTO keyring (id, master_fingerprint, wrapped_data_key, wrapped_pepper, wrapped_signed_url_salt, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          ['main', ...values],
        );
      }
    },

    async countAccounts() {
      const [row] = await db.all<Row>('SELECT COUNT(*) AS n FROM accounts');
      return num(row?.n ?? 0);
    },
    async insertAccount(account) {
      await db.run('INSERT INTO accounts (id, name, kind, parent_id, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        account.id, account.name, account.kind, account.parentId, JSON.stringify(account.settings), account.createdAt,
      ]);
    },
    async getAccount(id) {
      const [row] = await db.all<Row>('SELECT * FROM accounts WHERE id = ?', [id]);
      return row ? toAccount(row) : null;
    },

    async insertMember(member) {
      await db.run('INSERT INTO members (id, account_id, email, password_hash, roles, created_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        member.id, member.accountId, member.email, member.passwordHash, JSON.stringify(member.roles), member.createdAt, member.removedAt,
      ]);
    },
    async updateMember(member) {
      await db.run('UPDATE members SET email = ?, password_hash = ?, roles = ?, removed_at = ? WHERE id = ?', [
        member.email, member.passwordHash, JSON.stringify(member.roles), member.removedAt, member.id,
      ]);
    },
    async getMember(accountId, id) {
      const [row] = await db.all<Row>('SELECT * FROM members WHERE account_id = ? AND id = ?', [accountId, id]);
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
        [token.id, token.accountId, token.memberId, token.name, token.tokenHash, JSON.stringify(token.permissions), token.createdAt, token.expiresAt, token.revokedAt, token.lastUsedAt],
      );
    },
    async updateAdminToken(token) {
      await db.run('UPDATE admin_tokens SET name = ?, permissions = ?, expires_at = ?, revoked_at = ?, last_used_at = ? WHERE id = ?', [
        token.name, JSON.stringify(token.permissions), token.expiresAt, token.revokedAt, token.lastUsedAt, token.id,
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

    async insertClient(client) {
      await db.run(
        'INSERT INTO clients (id, account_id, profile, name, state, fields, consumer_key, failed_attempts, locked_at, locked_until, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [client.id, client.accountId, client.profile, client.name, client.state, JSON.stringify(client.fields), client.consumerKey, client.failedAttempts, client.lockedAt, client.lockedUntil, client.createdAt, client.updatedAt, client.deletedAt],
      );
    },
    async updateClient(client) {
      await db.run(
        'UPDATE clients SET name = ?, state = ?, fields = ?, consumer_key = ?, failed_attempts = ?, locked_at = ?, locked_until = ?, updated_at = ?, deleted_at = ? WHERE id = ?',
        [client.name, client.state, JSON.stringify(client.fields), client.consumerKey, client.failedAttempts, client.lockedAt, client.lockedUntil, client.updatedAt, client.deletedAt, client.id],
      );
    },
    async lockClient(id) {
      // SQLite's BEGIN IMMEDIATE already holds the database write lock.
      if (db.dialect === 'postgres') await db.all('SELECT id FROM clients WHERE id = ? FOR UPDATE', [id]);
    },
    async getClient(id) {
      const [row] = await db.all<Row>('SELECT * FROM clients WHERE id = ?', [id]);
      return row ? toClient(row) : null;
    },
    async listClients(accountId, { profile, cursor, limit }) {
      const after = decodeCursor(cursor);
      const where = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (profile) {
        where.push('profile = ?');
        params.push(profile);
      }
      if (after) {
        where.push('(created_at > ? OR (created_at = ? AND id > ?))');
        params.push(after[0], after[0], after[1]);
      }
      const rows = await db.all<Row>(`SELECT * FROM clients WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ?`, [...params, limit + 1]);
      const items = rows.slice(0, limit).map(toClient);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.createdAt, last.id]) } : { items };
    },

    async insertVersion(version) {
      await db.run(
        'INSERT INTO secret_versions (id, client_id, account_id, state, secret_hash, secret_ciphertext, created_at, expires_at, grace_until, retired_at, revoked_at, last_used_at, use_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [version.id, version.clientId, version.accountId, version.state, version.secretHash, version.secretCiphertext, version.createdAt, version.expiresAt, version.graceUntil, version.retiredAt, version.revokedAt, version.lastUsedAt, version.useCount],
      );
    },
    async updateVersion(version) {
      await db.run('UPDATE secret_versions SET state = ?, secret_ciphertext = ?, expires_at = ?, grace_until = ?, retired_at = ?, revoked_at = ? WHERE id = ?', [
        version.state, version.secretCiphertext, version.expiresAt, version.graceUntil, version.retiredAt, version.revokedAt, version.id,
      ]);
    },
    async listVersions(clientId) {
      return (await db.all<Row>('SELECT * FROM secret_versions WHERE client_id = ? ORDER BY created_at, id', [clientId])).map(toVersion);
    },
    async applyUsage(updates: readonly UsageUpdate[]) {
      if (updates.length === 0) return;
      await db.transaction(async (tx) => {
        for (const update of updates) {
          await tx.run(
            'UPDATE secret_versions SET use_count = use_count + ?, last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ? THEN ? ELSE last_used_at END WHERE id = ?',
            [update.count, update.lastUsedAt, update.lastUsedAt, update.versionId],
          );
        }
      });
    },

    claimNonce: options.groupNonces ? groupedNonceClaims(db) : (scope, nonce, expiresAt, now) => insertNonce(db, scope, nonce, expiresAt, now),
    async purgeExpired(now) {
      await db.run('DELETE FROM nonces WHERE expires_at <= ?', [now]);
      await db.run('DELETE FROM idempotency_keys WHERE expires_at <= ?', [now]);
      // Throttle windows that have ended count nothing any more.
      await db.run('DELETE FROM failure_windows WHERE window_start <= ?', [now - THROTTLE_WINDOW_MS]);
      await db.run('DELETE FROM sign_in_throttle WHERE window_start <= ?', [now - SIGN_IN_WINDOW_MS]);
      // An expired session can never be used again (revoked ones stay listed until they expire).
      await db.run('DELETE FROM console_sessions WHERE expires_at <= ?', [now]);
      // Per-address counters and lapsed locks of addresses quiet for a day; a lock without end stays.
      await db.run(
        'DELETE FROM source_lockouts WHERE updated_at <= ? AND (locked_at IS NULL OR (locked_until IS NOT NULL AND locked_until <= ?))',
        [now - SOURCE_LOCKOUT_RETENTION_MS, now],
      );
    },

    async getIdempotency(accountId, key) {
      const [row] = await db.all<Row>('SELECT * FROM idempotency_keys WHERE account_id = ? AND idem_key = ?', [accountId, key]);
      if (!row) return null;
      return {
        accountId: str(row.account_id),
        key: str(row.idem_key),
        fingerprint: str(row.fingerprint),
        responseCiphertext: str(row.response_ciphertext),
        createdAt: num(row.created_at),
        expiresAt: num(row.expires_at),
      } satisfies IdempotencyRecord;
    },
    async insertIdempotency(record) {
      // Only an expired record is replaced; a live one (even one committed a moment ago by a
      // concurrent transaction, which PostgreSQL waits for) leaves the insert without effect.
      const changed = await db.run(
        'INSERT INTO idempotency_keys (account_id, idem_key, fingerprint, response_ciphertext, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint, response_ciphertext = excluded.response_ciphertext, created_at = excluded.created_at, expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= ?',
        [record.accountId, record.key, record.fingerprint, record.responseCiphertext, record.createdAt, record.expiresAt, record.createdAt],
      );
      return changed > 0;
    },

    async insertAuditEvent(event) {
      await db.run(
        'INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, actor_member_id, client_id, version_id, code, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [event.id, event.accountId, event.at, event.type, event.actor.type, event.actor.id, event.actor.memberId ?? null, event.clientId, event.versionId, event.code, event.count, JSON.stringify(event.data)],
      );
    },
    async addFailureAggregates(aggregates: readonly FailureAggregate[], newId) {
      if (aggregates.length === 0) return;
      await db.transaction(async (tx) => {
        for (const item of aggregates) {
          const key = `${item.clientId}|${item.versionId ?? ''}|${item.code}|${item.minute}`;
          await tx.run(
            "INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, client_id, version_id, code, count, aggregate_key, data) VALUES (?, ?, ?, 'auth.failed', 'client', ?, ?, ?, ?, ?, ?, '{}') ON CONFLICT (aggregate_key) DO UPDATE SET count = audit_events.count + excluded.count",
            [newId(), item.accountId, item.minute, item.clientId, item.clientId, item.versionId, item.code, item.count, key],
          );
        }
      });
    },
    async addSignInFailure(failure, newId) {
      const key = `signin|${failure.accountId}|${failure.memberId ?? ''}|${failure.purpose}|${failure.minute}`;
      const data = JSON.stringify(failure.memberId === null ? { purpose: failure.purpose } : { purpose: failure.purpose, memberId: failure.memberId });
      await db.run(
        "INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, code, count, aggregate_key, data) VALUES (?, ?, ?, 'signin.failed', 'system', ?, 'unauthenticated', 1, ?, ?) ON CONFLICT (aggregate_key) DO UPDATE SET count = audit_events.count + 1",
        [newId(), failure.accountId, failure.minute, failure.purpose, key, data],
      );
    },
    async listAuditEvents(accountId, filter: AuditFilter) {
      const where = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (filter.type) {
        where.push('type = ?');
        params.push(filter.type);
      }
      if (filter.clientId) {
        where.push('client_id = ?');
        params.push(filter.clientId);
      }
      if (filter.since !== undefined) {
        where.push('at >= ?');
        params.push(filter.since);
      }
      if (filter.until !== undefined) {
        where.push('at < ?');
        params.push(filter.until);
      }
      const before = decodeCursor(filter.cursor);
      if (before) {
        where.push('(at < ? OR (at = ? AND id < ?))');
        params.push(before[0], before[0], before[1]);
      }
      const rows = await db.all<Row>(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`, [...params, filter.limit + 1]);
      const items = rows.slice(0, filter.limit).map(toAuditEvent);
      const last = items[items.length - 1];
      const page: Page<AuditEvent> = { items };
      if (rows.length > filter.limit && last) page.nextCursor = encodeCursor([last.at, last.id]);
      return page;
    },

    async insertOutbox(message) {
      await db.run(
        'INSERT INTO outbox (id, account_id, type, channel, recipient, payload, status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [message.id, message.accountId, message.type, message.channel, message.recipient, JSON.stringify(message.payload), message.status, message.attempts, message.nextAttemptAt, message.leaseUntil, message.lastError, message.createdAt, message.sentAt],
      );
    },
    async listOutbox(accountId, filter) {
      const where = ['account_id = ?'];
      const params: unknown[] = [accountId];
      if (filter.type) {
        where.push('type = ?');
        params.push(filter.type);
      }
      if (filter.status) {
        where.push('status = ?');
        params.push(filter.status);
      }
      return (await db.all<Row>(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`, [...params, filter.limit])).map(toOutbox);
    },

    async recordChange(clientId, at) {
      if (!db.beforeCommit) {
        // SQLite writers are serialised by BEGIN IMMEDIATE, so sequence order is already commit order.
        await db.run('INSERT INTO changes (client_id, at) VALUES (?, ?)', [clientId, at]);
        return;
      }
      // PostgreSQL hands out sequence numbers before commit, so two transactions can commit out of
      // order and a follower that has read past the later one would skip the earlier. Appending as
      // the last step, under one lock held until commit, makes sequence order commit order (NOTIFY
      // already serialises committing transactions much the same way). The notice goes out at
      // commit (SPEC §9).
      await db.beforeCommit(async (tx) => {
        await tx.all('SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))', [CHANGE_LOG_LOCK]);
        await tx.all(
          "WITH appended AS (INSERT INTO changes (client_id, at) VALUES (?, ?) RETURNING client_id) SELECT pg_notify('rekey_changes', client_id) FROM appended",
          [clientId, at],
        );
      });
    },
    async changesSince(seq) {
      const rows = await db.all<Row>('SELECT seq, client_id FROM changes WHERE seq > ? ORDER BY seq', [seq]);
      return rows.map((row): ChangeNotice => ({ seq: num(row.seq), clientId: str(row.client_id) }));
    },
    async latestChange() {
      const [row] = await db.all<Row>('SELECT MAX(seq) AS seq FROM changes');
      return num(row?.seq ?? 0);
    },

    close: () => db.close(),
    ...tbaSql(db),
    ...appsSql(db),
    ...oauthSql(db),
    ...portalSql(db),
    ...registrationSql(db),
  };
  return store;
}
