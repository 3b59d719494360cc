import type { Account } from '../core/accounts/index.js';
import type { Client, Profile, SecretVersion } from '../core/credentials/index.js';
import type { OutboxMessage, OutboxStatus } from '../core/notify/index.js';

/** One result row as the drivers return it, and the conversions every SQL store module shares. */
export type Row = Record<string, unknown>;

export const num = (value: unknown): number => Number(value);
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const str = (value: unknown): string => String(value);
export const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

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
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
  deletedAt: numOrNull(row.deleted_at),
});

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
  useCount: num(row.use_count),
});

export const toAccount = (row: Row): Account => ({
  id: str(row.id),
  name: str(row.name),
  kind: str(row.kind) as Account['kind'],
  parentId: strOrNull(row.parent_id),
  settings: JSON.parse(str(row.settings)),
  createdAt: num(row.created_at),
});

export const toOutbox = (row: Row): OutboxMessage => ({
  id: str(row.id),
  accountId: str(row.account_id),
  type: str(row.type) as OutboxMessage['type'],
  channel: str(row.channel) as OutboxMessage['channel'],
  recipient: str(row.recipient),
  payload: JSON.parse(str(row.payload)),
  status: str(row.status) as OutboxStatus,
  attempts: num(row.attempts),
  nextAttemptAt: num(row.next_attempt_at),
  leaseUntil: numOrNull(row.lease_until),
  lastError: strOrNull(row.last_error),
  createdAt: num(row.created_at),
  sentAt: numOrNull(row.sent_at),
});
