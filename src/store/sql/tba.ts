import type { Bundle, Installation, TbaStore, TbaToken } from '../../core/tba/index.js';
import type { SqlDb } from '../sql-db.js';
import { type Row, num, numOrNull, str, strOrNull } from './row.js';

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

/** SQL for the TbaStore port; the same statements serve SQLite and PostgreSQL. */
export function tbaSql(db: SqlDb): TbaStore {
  return {
    async insertToken(token) {
      await db.run(
        'INSERT INTO tba_tokens (id, client_id, consumer_client_id, account_id, member_id, role, secret_hash, secret_ciphertext, created_at, revoked_at, revoked_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          token.id,
          token.clientId,
          token.consumerClientId,
          token.accountId,
          token.memberId,
          token.role,
          token.secretHash,
          token.secretCiphertext,
          token.createdAt,
          token.revokedAt,
          token.revokedReason,
        ],
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
    async findTokenBySecretHash(secretHash) {
      const [row] = await db.all<Row>('SELECT * FROM tba_tokens WHERE secret_hash = ? ORDER BY created_at, id LIMIT 1', [secretHash]);
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
      return (
        await db.all<Row>(
          'SELECT * FROM tba_tokens WHERE account_id = ? AND member_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
          [accountId, memberId],
        )
      ).map(toToken);
    },

    async findConsumerKey(consumerKey) {
      const [current] = await db.all<Row>("SELECT id FROM clients WHERE consumer_key = ? AND profile = 'tba'", [consumerKey]);
      if (current) return { clientId: str(current.id), retired: false };
      const [retired] = await db.all<Row>('SELECT client_id FROM tba_retired_consumer_keys WHERE consumer_key = ?', [consumerKey]);
      return retired ? { clientId: str(retired.client_id), retired: true } : null;
    },
    async retireConsumerKey(consumerKey, clientId, at) {
      await db.run(
        'INSERT INTO tba_retired_consumer_keys (consumer_key, client_id, retired_at) VALUES (?, ?, ?) ON CONFLICT (consumer_key) DO NOTHING',
        [consumerKey, clientId, at],
      );
    },

    async insertBundle(bundle) {
      await db.run('INSERT INTO tba_bundles (id, client_id, account_id, created_at) VALUES (?, ?, ?, ?)', [
        bundle.id,
        bundle.clientId,
        bundle.accountId,
        bundle.createdAt,
      ]);
    },
    async getBundle(id) {
      const [row] = await db.all<Row>('SELECT * FROM tba_bundles WHERE id = ?', [id]);
      return row ? toBundle(row) : null;
    },
    async listBundlesOfClient(clientId) {
      return (await db.all<Row>('SELECT * FROM tba_bundles WHERE client_id = ? ORDER BY created_at, id', [clientId])).map(toBundle);
    },
    async insertInstallation(installation) {
      await db.run(
        'INSERT INTO tba_installations (client_id, bundle_id, source_client_id, account_id, installed_at) VALUES (?, ?, ?, ?, ?)',
        [installation.clientId, installation.bundleId, installation.sourceClientId, installation.accountId, installation.installedAt],
      );
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
      return (
        await db.all<Row>('SELECT * FROM tba_installations WHERE source_client_id = ? ORDER BY installed_at, client_id', [sourceClientId])
      ).map(toInstallation);
    },
  };
}
