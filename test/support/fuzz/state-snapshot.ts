import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestDatabase } from '../stores.js';

/**
 * What bad input must never change (issue 14): each guarded table with the columns a refused
 * request may legitimately write left out. SPEC §4 and §9 allow a refused request to count a
 * failure (clients' lock columns, source_lockouts, failure_windows), insert a nonce,
 * record usage (version_usage, usage_buckets, stale_usage), touch a
 * session or admin token (last_seen_at, last_used_at), throttle a sign-in (sign_in_throttle) and
 * aggregate its audit (audit_events, operator_events, outbox, changes); those are not compared.
 */
export const GUARDED_TABLES: Readonly<Record<string, { ignore?: readonly string[]; only?: readonly string[] }>> = {
  keyring: {},
  accounts: {},
  members: {},
  roles: {},
  admin_tokens: { ignore: ['last_used_at'] },
  // Named rather than excluded: lock state lives beside these columns and may gain more counters.
  clients: {
    only: ['id', 'account_id', 'profile', 'name', 'state', 'fields', 'consumer_key', 'rotation_policy', 'created_at', 'deleted_at'],
  },
  secret_versions: {},
  idempotency_keys: {},
  tba_tokens: {},
  tba_retired_consumer_keys: {},
  tba_bundles: {},
  tba_installations: {},
  console_sessions: { ignore: ['last_seen_at'] },
  apps: {},
  app_secrets: {},
  oauth_signing_keys: {},
  oauth_revoked_tokens: {},
  oauth_version_revocations: {},
  portal_registrations: {},
  webhook_endpoints: {},
  operator_tokens: {},
  rotation_runs: {},
};

/** Each guarded table's rows (ignored columns dropped), serialised and sorted. */
export type StateSnapshot = Record<string, string[]>;

export async function takeSnapshot(db: TestDatabase): Promise<StateSnapshot> {
  const snapshot: StateSnapshot = {};
  const read = db.kind === 'sqlite' ? sqliteReader(db.url) : await postgresReader(db.url);
  try {
    for (const [table, { ignore = [], only }] of Object.entries(GUARDED_TABLES)) {
      const rows = await read.all(`SELECT * FROM ${table}`);
      const kept = (column: string): boolean => (only ? only.includes(column) : !ignore.includes(column));
      snapshot[table] = rows
        .map((row) =>
          JSON.stringify(
            Object.entries(row).filter(([column]) => kept(column)),
            normalise,
          ),
        )
        .sort();
    }
  } finally {
    await read.close();
  }
  return snapshot;
}

/** The rows that appeared or disappeared per table: empty when nothing guarded changed. */
export function diffSnapshots(before: StateSnapshot, after: StateSnapshot): string[] {
  const changes: string[] = [];
  for (const table of Object.keys(GUARDED_TABLES)) {
    const was = new Set(before[table] ?? []);
    const now = new Set(after[table] ?? []);
    for (const row of was) if (!now.has(row)) changes.push(`${table} - ${row}`);
    for (const row of now) if (!was.has(row)) changes.push(`${table} + ${row}`);
  }
  return changes;
}

function normalise(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return value;
}

interface Reader {
  all(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

function sqliteReader(path: string): Reader {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  return {
    all: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
    close: async () => {
      db.close();
    },
  };
}

async function postgresReader(url: string): Promise<Reader> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    all: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
    close: () => client.end(),
  };
}
