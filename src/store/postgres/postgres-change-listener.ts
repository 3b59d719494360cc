import pg from 'pg';
import type { SqlDb } from '../sql-db.js';
import { asStoreError, isPostgresUnreachable, postgresClientConfig, type PostgresOptions } from './postgres-db.js';

/** The channel every invalidating transaction notifies, with the client id as payload (see recordChange). */
export const CHANGE_CHANNEL = 'rekey_changes';

/**
 * The follower's connection is replaced when it does not answer within the freshness window. A
 * slower answer would not confirm freshness in time anyway (the cache lapses on its own after
 * 1 s without a confirmation); the limit only decides how soon a dead connection is replaced.
 */
const LISTENER_TIMEOUTS = { connectMs: 1000, queryMs: 1000 } as const;

export interface PostgresChangeListener {
  /** Queries on the listener's own connection, which is (re)opened and LISTENing before any query runs. */
  db: SqlDb;
  onNotify(handler: (clientId: string) => void): void;
  close(): Promise<void>;
}

/**
 * A dedicated connection outside the pool that LISTENs for change notices and also carries the
 * follower's periodic read of the change log. Sharing one connection means a successful read
 * proves the notification channel is alive too, and a busy pool can never starve the heartbeat.
 * A connection that fails is dropped; the next query opens a fresh one.
 */
export function openPostgresChangeListener(url: string, options: PostgresOptions = {}): PostgresChangeListener {
  const handlers: Array<(clientId: string) => void> = [];
  let current: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;

  const drop = (client: pg.Client): void => {
    if (current === client) current = null;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
  };

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      ...postgresClientConfig(url, options),
      connectionTimeoutMillis: LISTENER_TIMEOUTS.connectMs,
      query_timeout: LISTENER_TIMEOUTS.queryMs,
    });
    // Kept for the client's lifetime: an 'error' without a listener would crash the process.
    client.on('error', () => drop(client));
    client.on('end', () => drop(client));
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
      for (const handler of handlers) handler(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      drop(client);
      throw error;
    }
    if (closed) {
      drop(client);
      throw new Error('The change listener is closed.');
    }
    current = client;
    return client;
  };

  const query = async (sql: string, params: readonly unknown[]): Promise<pg.QueryResult> => {
    try {
      const client =
        current ??
        (await (connecting ??= connect().finally(() => {
          connecting = null;
        })));
      try {
        let index = 0;
        return await client.query(
          sql.replace(/\?/g, () => `$${++index}`),
          [...params],
        );
      } catch (error) {
        if (isPostgresUnreachable(error)) drop(client);
        throw error;
      }
    } catch (error) {
      throw asStoreError(error);
    }
  };

  const db: SqlDb = {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows as T[],
    run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
    transaction: () => Promise.reject(new Error('The change listener connection is read-only.')),
    close: async () => undefined,
  };

  return {
    db,
    onNotify: (handler) => {
      handlers.push(handler);
    },
    async close() {
      closed = true;
      if (current) drop(current);
    },
  };
}
