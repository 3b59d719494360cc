import type { PortalStore } from '../core/portal-store.js';
import type { SqlDb } from './sql-db.js';

/** SQL for the PortalStore port; the same statements serve SQLite and PostgreSQL. */
export function portalSql(_db: SqlDb): PortalStore {
  return {};
}
