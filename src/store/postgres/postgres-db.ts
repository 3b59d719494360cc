import pg from 'pg';
import { RekeyError, refuseUnholdable } from '../../core/kernel/index.js';
import type { SqlDb } from '../sql-db.js';

// BIGINT columns hold millisecond timestamps and counters, all well inside 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * Time limits that turn an unreachable or stuck database into a prompt `unavailable` instead of a
 * request that hangs. The change follower's own connection is stricter (postgres-change-listener.ts).
 */
export const POSTGRES_TIMEOUTS = {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: 2000,
  /** Client side: a query whose answer has not arrived by then fails and its connection is dropped. */
  queryMs: 6000,
  /**
   * Server side, a little shorter, so a slow statement is cancelled while its connection stays
   * usable. It includes lock waits: generous enough for a burst of rotations of one client.
   */
  statementMs: 5000,
  /** Frees the row locks of a node that stalls or vanishes mid-transaction. */
  idleInTransactionMs: 10_000,
} as const;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
// SQLSTATE: connection exceptions, shutdown / cannot connect now, cancelled by statement_timeout, out of resources.
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]$|57014$|58)/;
const UNREACHABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end|connection timeout/i;

/** True for errors that say the database cannot be reached (or is not answering), not that a statement was wrong. */
export function isPostgresUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return UNREACHABLE_MESSAGES.test(error.message);
}

/** Every caller — data plane, control plane, CLI — sees an unreachable store as one error: 503 `unavailable`. */
export function asStoreError(error: unknown): unknown {
  if (error instanceof RekeyError) return error;
  // SQLSTATE class 22, data exception (a value out of range, a bad encoding): bad input, never `unavailable`.
  if (error instanceof Error && /^22/.test(String((error as { code?: unknown }).code))) {
    const refused = new RekeyError('invalid_request', 'The request holds a value the credential store cannot hold.');
    refused.cause = error;
    return refused;
  }
  if (!isPostgresUnreachable(error)) return error;
  const unavailable = new RekeyError('unavailable', 'The credential store is unreachable; try again shortly.', { retryAfter: 1 });
  unavailable.cause = error;
  return unavailable;
}

function translate(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

type Query = (sql: string, params: unknown[]) => Promise<pg.QueryResult>;

function over(query: Query, transaction: SqlDb['transaction'], beforeCommit: NonNullable<SqlDb['beforeCommit']>): SqlDb {
  const guarded = async (sql: string, params: readonly unknown[]): Promise<pg.QueryResult> => {
    refuseUnholdable(params);
    try {
      return await query(translate(sql), [...params]);
    } catch (error) {
      throw asStoreError(error);
    }
  };
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await guarded(sql, params)).rows as T[],
    run: async (sql, params = []) => (await guarded(sql, params)).rowCount ?? 0,
    transaction,
    beforeCommit,
    close: async () => undefined,
  };
}

export interface PostgresOptions {
  schema?: string;
  poolSize?: number;
}

/** Connection settings shared by the pool and the change listener. */
export function postgresClientConfig(url: string, options: PostgresOptions): pg.ClientConfig {
  return {
    connectionString: url,
    // A schema given here is overridden by `options` in the URL, which is how tests isolate themselves.
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectMs,
    query_timeout: POSTGRES_TIMEOUTS.queryMs,
    statement_timeout: POSTGRES_TIMEOUTS.statementMs,
    idle_in_transaction_session_timeout: POSTGRES_TIMEOUTS.idleInTransactionMs,
    keepAlive: true,
  };
}

export function openPostgresDb(url: string, options: PostgresOptions = {}): SqlDb & { pool: pg.Pool } {
  const pool = new pg.Pool({ ...postgresClientConfig(url, options), max: options.poolSize ?? 10 });
  // Idle connections that die are dropped by the pool; the next query opens a new one.
  pool.on('error', () => undefined);

  const transaction = async <T>(work: (db: SqlDb) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw asStoreError(error);
    }
    const atCommit: Array<(db: SqlDb) => Promise<void>> = [];
    const inner: SqlDb = over(
      (sql, params) => client.query(sql, params),
      ((nested: (db: SqlDb) => Promise<unknown>) => nested(inner)) as SqlDb['transaction'],
      async (step) => {
        atCommit.push(step);
      },
    );
    // A connection that failed mid-transaction is closed rather than handed to the next caller.
    let broken: Error | undefined;
    try {
      await inner.run('BEGIN');
      const result = await work(inner);
      for (const step of atCommit) await step(inner);
      await inner.run('COMMIT');
      return result;
    } catch (error) {
      if (error instanceof RekeyError && error.code === 'unavailable') {
        // Closing the connection rolls back on the server; waiting for a ROLLBACK answer could take as long again.
        broken = error;
      } else {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
      }
      throw error;
    } finally {
      client.release(broken);
    }
  };

  const db = over(
    (sql, params) => pool.query(sql, params),
    transaction as SqlDb['transaction'],
    (step) => transaction(step),
  );
  return { ...db, close: () => pool.end(), pool };
}
