import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../src/store/migrations.js';
import { openPostgresDb } from '../src/store/postgres/postgres-db.js';
import type { SqlDb } from '../src/store/sql-db.js';
import { createSqlStore } from '../src/store/sql-store.js';
import { openSqliteDb } from '../src/store/sqlite/sqlite-db.js';
import { createTestDatabase, STORE_KINDS, type TestDatabase } from './support/stores.js';

// Migration 13 moves use counts and last use out of `secret_versions` into `version_usage`, and
// finds a client's hourly buckets through its versions. A database written before it keeps both.
describe.each(STORE_KINDS)('migration 13, version_usage (%s)', (kind) => {
  let database: TestDatabase;
  let db: SqlDb & { close(): Promise<void> };

  afterEach(async () => {
    await db.close();
    await database.drop();
  });

  it('carries each used version’s count and last use over, adds no row for an unused one, and keeps the buckets readable', async () => {
    database = await createTestDatabase(kind);
    db = kind === 'sqlite' ? openSqliteDb(database.url) : openPostgresDb(database.url, { schema: database.schema! });
    await migrate(
      db,
      MIGRATIONS.filter((migration) => migration.version < 13),
    );
    const now = 1_790_000_000_000;
    const hour = now - (now % 3_600_000);
    await db.run(
      "INSERT INTO accounts (id, name, kind, parent_id, settings, created_at) VALUES ('acme1', 'Acme', 'standard', NULL, '{}', ?)",
      [now],
    );
    await db.run(
      "INSERT INTO clients (id, account_id, profile, name, state, fields, created_at, updated_at) VALUES ('cli_m13', 'acme1', 'apikey', 'old', 'active', '{}', ?, ?)",
      [now, now],
    );
    const version = (id: string, lastUsedAt: number | null, useCount: number) =>
      db.run(
        `INSERT INTO secret_versions (id, client_id, account_id, state, secret_hash, created_at, last_used_at, use_count)
         VALUES (?, 'cli_m13', 'acme1', 'current', ?, ?, ?, ?)`,
        [id, `hash_${id}`, now, lastUsedAt, useCount],
      );
    await version('ver_used', now - 5000, 42);
    await version('ver_unused', null, 0);
    await db.run(
      "INSERT INTO usage_buckets (version_id, hour, client_id, account_id, count) VALUES ('ver_used', ?, 'cli_m13', 'acme1', 42)",
      [hour],
    );

    expect(await migrate(db)).toEqual(MIGRATIONS.filter((migration) => migration.version >= 13).map((migration) => migration.version));

    expect(await db.all('SELECT version_id, use_count, last_used_at FROM version_usage ORDER BY version_id')).toEqual([
      { version_id: 'ver_used', use_count: 42, last_used_at: now - 5000 },
    ]);
    const store = createSqlStore(db);
    const versions = await store.listVersions('cli_m13');
    expect(versions.map((v) => [v.id, v.useCount, v.lastUsedAt])).toEqual([
      ['ver_unused', 0, null],
      ['ver_used', 42, now - 5000],
    ]);
    expect(await store.listUsageBuckets('cli_m13', hour)).toEqual([{ versionId: 'ver_used', hour, count: 42 }]);

    // A flush after the migration adds to the carried-over row and creates one for the unused version.
    await store.applyUsage([
      { versionId: 'ver_used', hour, count: 3, lastUsedAt: now + 1000 },
      { versionId: 'ver_unused', hour, count: 1, lastUsedAt: now + 2000 },
      { versionId: 'ver_gone', hour, count: 9, lastUsedAt: now + 3000 },
    ]);
    expect((await store.listVersions('cli_m13')).map((v) => [v.id, v.useCount, v.lastUsedAt])).toEqual([
      ['ver_unused', 1, now + 2000],
      ['ver_used', 45, now + 1000],
    ]);
    expect(await store.listUsageBuckets('cli_m13', hour)).toEqual([
      { versionId: 'ver_unused', hour, count: 1 },
      { versionId: 'ver_used', hour, count: 45 },
    ]);
  });
});
