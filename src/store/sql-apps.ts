import type { AppsStore } from '../core/apps-store.js';
import type { SqlDb } from './sql-db.js';

/** SQL for the AppsStore port; the same statements serve SQLite and PostgreSQL. */
export function appsSql(_db: SqlDb): AppsStore {
  return {};
}
