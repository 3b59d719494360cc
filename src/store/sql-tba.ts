import type { TbaStore } from '../core/tba-store.js';
import type { SqlDb } from './sql-db.js';

/** SQL for the TbaStore port; the same statements serve SQLite and PostgreSQL. */
export function tbaSql(_db: SqlDb): TbaStore {
  return {};
}
