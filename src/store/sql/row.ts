import type { Account } from '../../core/accounts/index.js';
import type { SecretVersion } from '../../core/credentials/index.js';

/** One result row as the drivers return it, and the conversions every SQL store module shares. */
export type Row = Record<string, unknown>;

export const num = (value: unknown): number => Number(value);
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const str = (value: unknown): string => String(value);
export const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export const toVersion = (row: Row): SecretVersion => ({
  id: str(row.id),
  clientId: str(row.client_id),
  accountId: str(row.account_id),
  state: str(row.state) as SecretVersion['state'],
  secretHash: str(row.secret_hash),
  secretCiphertext: strOrNull(row.secret_ciphertext),
  createdAt: num(row.created_at),
  expiresAt: numOrNull(row.expires_at),
  graceUntil: numOrNull(row.grace_until),
  retiredAt: numOrNull(row.retired_at),
  revokedAt: numOrNull(row.revoked_at),
  lastUsedAt: numOrNull(row.last_used_at),
  useCount: num(row.use_count ?? 0),
});

/** Versions with their usage (`version_usage`, where a never-used version has no row): `SELECT ${VERSIONS} WHERE v.…`. */
export const VERSIONS = 'v.*, u.use_count, u.last_used_at FROM secret_versions v LEFT JOIN version_usage u ON u.version_id = v.id';

export const toAccount = (row: Row): Account => ({
  id: str(row.id),
  name: str(row.name),
  kind: str(row.kind) as Account['kind'],
  parentId: strOrNull(row.parent_id),
  settings: JSON.parse(str(row.settings)),
  createdAt: num(row.created_at),
});
