import pg from 'pg';
import type { SqlDb } from '../sql-db.js';

// BIGINT columns hold millisecond timestamps and counters, all well inside 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

function translate(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

function over(query: (sql: string, params: unknown[]) => Promise<pg.QueryResult>, dialectTx: (work: (db: SqlDb) => Promise<unknown>) => Promise<unknown>): SqlDb {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await query(translate(sql), [...params])).rows as T[],
    run: async (sql, params = []) => (await query(translate(sql), [...params])).rowCount ?? 0,
    transaction: dialectTx as SqlDb['transaction'],
    close: async () => undefined,
  };
}

export function openPostgresDb(url: string, options: { schema?: string; poolSize?: number } = {}): SqlDb & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', () => undefined);
  const transaction = async <T>(work: (db: SqlDb) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    const inner: SqlDb = over((sql, params) => client.query(sql, params), (nested) => nested(inner));
    try {
      await client.query('BEGIN');
      const result = await work(inner);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  const db = over((sql, params) => pool.query(sql, params), transaction as (work: (db: SqlDb) => Promise<unknown>) => Promise<unknown>);
  return { ...db, close: () => pool.end(), pool };
}
