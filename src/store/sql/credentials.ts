import type { CredentialsStore, IdempotencyRecord, Client, Profile } from '../../core/credentials/index.js';
import type { SqlDb } from '../sql-db.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type Row, num, numOrNull, str, strOrNull, toVersion, VERSIONS } from './row.js';

export const toClient = (row: Row): Client => ({
  id: str(row.id),
  accountId: str(row.account_id),
  profile: str(row.profile) as Profile,
  name: str(row.name),
  state: str(row.state) as Client['state'],
  fields: JSON.parse(str(row.fields)),
  consumerKey: strOrNull(row.consumer_key),
  failedAttempts: num(row.failed_attempts),
  lockedAt: numOrNull(row.locked_at),
  lockedUntil: numOrNull(row.locked_until),
  rotationPolicy: row.rotation_policy ? JSON.parse(str(row.rotation_policy)) : null,
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
  deletedAt: numOrNull(row.deleted_at),
});

/** SQL for the CredentialsStore port; the same statements serve SQLite and PostgreSQL. */
export function credentialsSql(db: SqlDb): CredentialsStore {
  return {
    async insertClient(client) {
      await db.run(
        'INSERT INTO clients (id, account_id, profile, name, state, fields, consumer_key, failed_attempts, locked_at, locked_until, rotation_policy, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          client.id,
          client.accountId,
          client.profile,
          client.name,
          client.state,
          JSON.stringify(client.fields),
          client.consumerKey,
          client.failedAttempts,
          client.lockedAt,
          client.lockedUntil,
          client.rotationPolicy ? JSON.stringify(client.rotationPolicy) : null,
          client.createdAt,
          client.updatedAt,
          client.deletedAt,
        ],
      );
    },
    async updateClient(client) {
      await db.run(
        'UPDATE clients SET name = ?, state = ?, fields = ?, consumer_key = ?, failed_attempts = ?, locked_at = ?, locked_until = ?, rotation_policy = ?, updated_at = ?, deleted_at = ? WHERE id = ?',
        [
          client.name,
          client.state,
          JSON.stringify(client.fields),
          client.consumerKey,
          client.failedAttempts,
          client.lockedAt,
          client.lockedUntil,
          client.rotationPolicy ? JSON.stringify(client.rotationPolicy) : null,
          client.updatedAt,
          client.deletedAt,
          client.id,
        ],
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
      const rows = await db.all<Row>(`SELECT * FROM clients WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ?`, [
        ...params,
        limit + 1,
      ]);
      const items = rows.slice(0, limit).map(toClient);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.createdAt, last.id]) } : { items };
    },

    async insertVersion(version) {
      await db.run(
        'INSERT INTO secret_versions (id, client_id, account_id, state, secret_hash, secret_ciphertext, created_at, expires_at, grace_until, retired_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          version.id,
          version.clientId,
          version.accountId,
          version.state,
          version.secretHash,
          version.secretCiphertext,
          version.createdAt,
          version.expiresAt,
          version.graceUntil,
          version.retiredAt,
          version.revokedAt,
        ],
      );
      // A version arrives used only when it is copied with its history; a new one has no usage row.
      if (version.useCount > 0 || version.lastUsedAt !== null) {
        await db.run('INSERT INTO version_usage (version_id, use_count, last_used_at) VALUES (?, ?, ?)', [
          version.id,
          version.useCount,
          version.lastUsedAt,
        ]);
      }
    },
    async updateVersion(version) {
      await db.run(
        'UPDATE secret_versions SET state = ?, secret_ciphertext = ?, expires_at = ?, grace_until = ?, retired_at = ?, revoked_at = ? WHERE id = ?',
        [version.state, version.secretCiphertext, version.expiresAt, version.graceUntil, version.retiredAt, version.revokedAt, version.id],
      );
    },
    async listVersions(clientId) {
      return (await db.all<Row>(`SELECT ${VERSIONS} WHERE v.client_id = ? ORDER BY v.created_at, v.id`, [clientId])).map(toVersion);
    },
    async getVersion(id) {
      const [row] = await db.all<Row>(`SELECT ${VERSIONS} WHERE v.id = ?`, [id]);
      return row ? toVersion(row) : null;
    },
    async findVersionBySecretHash(secretHash) {
      const [row] = await db.all<Row>(`SELECT ${VERSIONS} WHERE v.secret_hash = ? ORDER BY v.created_at, v.id LIMIT 1`, [secretHash]);
      return row ? toVersion(row) : null;
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
  };
}
