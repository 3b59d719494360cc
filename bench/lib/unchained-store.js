// The store as it was before the audit hash chain (SPEC §12): the same Store over the same
// connection, except that insertAuditEvent writes the event as a plain row (seq and hash NULL, no
// chain head locked or updated) — the statement insertAuditEvent ran before chaining, and the shape
// aggregated events are still inserted in. For measuring what chaining costs; never for serving.
import { join } from 'node:path';

export async function unchainedStoreFactory(root) {
  const { createSqlStore } = await import(join(root, 'dist/store/index.js'));
  const { countRecordedEvent } = await import(join(root, 'dist/store/recorded-events.js'));
  const withoutSeal = (db, store) => ({
    ...store,
    async insertAuditEvent(event) {
      await db.run(
        'INSERT INTO audit_events (id, account_id, at, type, actor_type, actor_id, actor_member_id, client_id, version_id, code, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          event.id,
          event.accountId,
          event.at,
          event.type,
          event.actor.type,
          event.actor.id,
          event.actor.memberId ?? null,
          event.clientId,
          event.versionId,
          event.code,
          event.count,
          JSON.stringify(event.data),
        ],
      );
      countRecordedEvent(event.type);
    },
  });
  /** A Store over `db` (runtime.opened.db) whose transactions hand out stores of the same kind. */
  return (db) => {
    // As createSqlStore: SQLite gives every transaction the same connection, so its store is made once.
    const inTransaction = new WeakMap();
    const storeOf = (tx) => {
      let txStore = inTransaction.get(tx);
      if (!txStore) {
        txStore = withoutSeal(tx, createSqlStore(tx));
        inTransaction.set(tx, txStore);
      }
      return txStore;
    };
    const store = {
      ...withoutSeal(db, createSqlStore(db)),
      transaction: (work) => db.transaction((tx) => work(tx === db ? store : storeOf(tx))),
    };
    return store;
  };
}
