import type { Store } from '../core/kernel/index.js';
import type { SqlDb } from './sql-db.js';
import { accountsSql } from './sql/accounts.js';
import { appsSql } from './sql/apps.js';
import { auditSql } from './sql/audit.js';
import { type AuthSqlOptions, authSql } from './sql/auth.js';
import { credentialsSql } from './sql/credentials.js';
import { kernelSql } from './sql/kernel.js';
import { notifySql } from './sql/notify.js';
import { oauthSql } from './sql/oauth.js';
import { operatorsSql } from './sql/operators.js';
import { portalSql } from './sql/portal.js';
import { rotationSql } from './sql/rotation.js';
import { tbaSql } from './sql/tba.js';

export type SqlStoreOptions = AuthSqlOptions;

/**
 * The Store over any SqlDb: the same SQL serves SQLite and PostgreSQL. One module per aggregate's
 * port (`sql/*.ts`), put together; a transaction gets the same modules over its connection.
 */
export function createSqlStore(db: SqlDb, options: SqlStoreOptions = {}): Store {
  // SQLite hands every transaction the same connection object, so its store is put together once
  // instead of once per transaction; PostgreSQL's connection, and so its store, is new each time.
  const inTransaction = new WeakMap<SqlDb, Store>();
  const storeOf = (tx: SqlDb): Store => {
    let txStore = inTransaction.get(tx);
    if (!txStore) {
      txStore = createSqlStore(tx);
      inTransaction.set(tx, txStore);
    }
    return txStore;
  };
  const store: Store = {
    transaction: (work) => db.transaction((tx) => work(tx === db ? store : storeOf(tx))),
    ...kernelSql(db),
    ...credentialsSql(db),
    ...authSql(db, options),
    ...accountsSql(db),
    ...tbaSql(db),
    ...appsSql(db),
    ...oauthSql(db),
    ...portalSql(db),
    ...auditSql(db),
    ...notifySql(db),
    ...operatorsSql(db),
    ...rotationSql(db),
  };
  return store;
}
