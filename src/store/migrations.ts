import { AUDIT_CHAIN_MIGRATION } from './migrations/audit-chain.js';
import type { SqlDb } from './sql-db.js';
import { APPS_MIGRATION } from './migrations/apps.js';
import { LOCK_WINDOWS_MIGRATION } from './migrations/lock-windows.js';
import { LEAK_LOOKUPS_MIGRATION } from './migrations/leak-lookups.js';
import { OAUTH_MIGRATION } from './migrations/oauth.js';
import { OPERATORS_MIGRATION } from './migrations/operators.js';
import { PORTAL_MIGRATION } from './migrations/portal.js';
import { SCHEDULED_ROTATION_MIGRATION } from './migrations/scheduled-rotation.js';
import { REGISTRATION_MIGRATION } from './migrations/registration.js';
import { TBA_MIGRATION } from './migrations/tba.js';
import { USAGE_BUCKETS_MIGRATION } from './migrations/usage-buckets.js';
import { VERSION_USAGE_MIGRATION } from './migrations/version-usage.js';
import { NONCE_LOG_MIGRATION } from './migrations/nonce-log.js';

/**
 * Versioned schema migrations, shared by both stores. `{serial}` becomes the dialect's
 * auto-incrementing key. Timestamps are integer milliseconds; flags are 0/1 integers; JSON is text.
 * Append new migrations; never edit an applied one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'foundation',
    sql: `
CREATE TABLE keyring (
  id TEXT PRIMARY KEY,
  master_fingerprint TEXT NOT NULL,
  wrapped_data_key TEXT NOT NULL,
  wrapped_pepper TEXT NOT NULL,
  wrapped_signed_url_salt TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id TEXT,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  email TEXT NOT NULL,
  password_hash TEXT,
  roles TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  removed_at BIGINT
);
CREATE UNIQUE INDEX members_email ON members(account_id, email);
CREATE TABLE roles (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  permissions TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, name)
);
CREATE TABLE admin_tokens (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  member_id TEXT NOT NULL REFERENCES members(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  permissions TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  profile TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  fields TEXT NOT NULL,
  consumer_key TEXT UNIQUE,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_at BIGINT,
  locked_until BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE INDEX clients_account ON clients(account_id, created_at, id);
CREATE TABLE secret_versions (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  account_id TEXT NOT NULL,
  state TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  secret_ciphertext TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  grace_until BIGINT,
  retired_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT,
  use_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX secret_versions_client ON secret_versions(client_id);
CREATE TABLE nonces (
  scope TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (scope, nonce)
);
CREATE TABLE idempotency_keys (
  account_id TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response_ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, idem_key)
);
CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_member_id TEXT,
  client_id TEXT,
  version_id TEXT,
  code TEXT,
  count BIGINT NOT NULL DEFAULT 1,
  aggregate_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX audit_events_account ON audit_events(account_id, at, id);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_account ON outbox(account_id, created_at);
CREATE TABLE changes (
  seq {serial},
  client_id TEXT NOT NULL,
  at BIGINT NOT NULL
);
`,
  },
  TBA_MIGRATION,
  APPS_MIGRATION,
  OAUTH_MIGRATION,
  PORTAL_MIGRATION,
  REGISTRATION_MIGRATION,
  USAGE_BUCKETS_MIGRATION,
  OPERATORS_MIGRATION,
  LOCK_WINDOWS_MIGRATION,
  AUDIT_CHAIN_MIGRATION,
  LEAK_LOOKUPS_MIGRATION,
  SCHEDULED_ROTATION_MIGRATION,
  VERSION_USAGE_MIGRATION,
  NONCE_LOG_MIGRATION,
];

const SERIAL = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' } as const;

/**
 * Applies pending migrations in order, each in its own transaction. Returns the versions applied.
 * `migrations` is a prefix of MIGRATIONS, for tests that start from an older schema.
 */
export async function migrate(db: SqlDb, migrations: typeof MIGRATIONS = MIGRATIONS): Promise<number[]> {
  await db.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.sql.trim() === '') continue;
    const done = await db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.run('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (rows.length > 0) return false;
      const sql = migration.sql.replaceAll('{serial}', SERIAL[tx.dialect]);
      for (const statement of sql
        .split(';')
        .map((part) => part.trim())
        .filter(Boolean)) {
        await tx.run(statement);
      }
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
