import type { StoreLocation } from '../config.js';
import type { Store } from '../core/kernel/index.js';
import { migrate } from './migrations.js';
import { openPostgresDb } from './postgres/postgres-db.js';
import type { SqlDb } from './sql-db.js';
import { createSqlStore } from './sql-store.js';
import { openSqliteDb } from './sqlite/sqlite-db.js';

export interface OpenedStore {
  store: Store;
  db: SqlDb;
  /** SQLite only: changes when another connection (e.g. the CLI) commits to the same file. */
  dataVersion?: () => number;
}

/** Opens the configured database and brings its schema up to date. */
export async function openStore(location: StoreLocation, options: { migrate?: boolean; schema?: string } = {}): Promise<OpenedStore> {
  if (location.kind === 'sqlite') {
    const db = openSqliteDb(location.path);
    if (options.migrate !== false) await migrate(db);
    return { store: createSqlStore(db, { batchNonces: true }), db, dataVersion: () => db.dataVersion() };
  }
  const db = openPostgresDb(location.url, options.schema ? { schema: options.schema } : {});
  if (options.migrate !== false) await migrate(db);
  return { store: createSqlStore(db, { batchNonces: true }), db };
}
