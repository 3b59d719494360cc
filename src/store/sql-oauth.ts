import type { OAuthStore } from '../core/oauth-store.js';
import type { SqlDb } from './sql-db.js';

/** SQL for the OAuthStore port; the same statements serve SQLite and PostgreSQL. */
export function oauthSql(_db: SqlDb): OAuthStore {
  return {};
}
