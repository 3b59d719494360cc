import type { OAuthStore, RevokedToken, VersionTokenRevocation, SigningKey } from '../../core/oauth/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, numOrNull } from './row.js';

const toSigningKey = (row: Row): SigningKey => ({
  kid: String(row.kid),
  alg: String(row.alg) as SigningKey['alg'],
  state: String(row.state) as SigningKey['state'],
  publicJwk: String(row.public_jwk),
  privateCiphertext: String(row.private_ciphertext),
  createdAt: Number(row.created_at),
  activatedAt: numOrNull(row.activated_at),
  retiredAt: numOrNull(row.retired_at),
});

/** SQL for the OAuthStore port; the same statements serve SQLite and PostgreSQL. */
export function oauthSql(db: SqlDb): OAuthStore {
  return {
    async listSigningKeys() {
      return (await db.all<Row>('SELECT * FROM oauth_signing_keys ORDER BY created_at, kid')).map(toSigningKey);
    },
    async lockSigningKeys() {
      // SQLite's BEGIN IMMEDIATE already holds the database write lock.
      if (db.dialect === 'postgres') await db.run('LOCK TABLE oauth_signing_keys IN SHARE ROW EXCLUSIVE MODE');
    },
    async insertSigningKey(key) {
      await db.run(
        'INSERT INTO oauth_signing_keys (kid, alg, state, public_jwk, private_ciphertext, created_at, activated_at, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [key.kid, key.alg, key.state, key.publicJwk, key.privateCiphertext, key.createdAt, key.activatedAt, key.retiredAt],
      );
    },
    async updateSigningKey(key) {
      await db.run('UPDATE oauth_signing_keys SET state = ?, activated_at = ?, retired_at = ? WHERE kid = ?', [
        key.state,
        key.activatedAt,
        key.retiredAt,
        key.kid,
      ]);
    },
    async deleteSigningKey(kid) {
      await db.run('DELETE FROM oauth_signing_keys WHERE kid = ?', [kid]);
    },

    async insertRevokedToken(token) {
      const changed = await db.run(
        'INSERT INTO oauth_revoked_tokens (jti, client_id, expires_at, revoked_at) VALUES (?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING',
        [token.jti, token.clientId, token.expiresAt, token.revokedAt],
      );
      return changed > 0;
    },
    async revokeVersionTokens(revocation) {
      await db.run(
        'INSERT INTO oauth_version_revocations (version_id, client_id, revoked_at) VALUES (?, ?, ?) ON CONFLICT (version_id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE oauth_version_revocations.revoked_at < excluded.revoked_at',
        [revocation.versionId, revocation.clientId, revocation.revokedAt],
      );
    },
    async listTokenRevocations(clientId, now) {
      const tokens = await db.all<Row>(
        'SELECT jti, client_id, expires_at, revoked_at FROM oauth_revoked_tokens WHERE client_id = ? AND expires_at > ?',
        [clientId, now],
      );
      const versions = await db.all<Row>('SELECT version_id, client_id, revoked_at FROM oauth_version_revocations WHERE client_id = ?', [
        clientId,
      ]);
      return {
        tokens: tokens.map((row): RevokedToken => ({
          jti: String(row.jti),
          clientId: String(row.client_id),
          expiresAt: Number(row.expires_at),
          revokedAt: Number(row.revoked_at),
        })),
        versions: versions.map((row): VersionTokenRevocation => ({
          versionId: String(row.version_id),
          clientId: String(row.client_id),
          revokedAt: Number(row.revoked_at),
        })),
      };
    },
    async purgeRevokedTokens(now) {
      return db.run('DELETE FROM oauth_revoked_tokens WHERE expires_at <= ?', [now]);
    },
  };
}
