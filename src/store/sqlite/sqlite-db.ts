import Database from 'better-sqlite3';
import { RekeyError, refuseUnholdable } from '../../core/kernel/index.js';
import type { SqlDb } from '../sql-db.js';

type Statement = Database.Statement<unknown[], unknown>;

// The file cannot be opened, read or written, or another process held the write lock past busy_timeout.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|PROTOCOL|NOTADB)/;

/** An unusable database file is the same condition as an unreachable server: 503 `unavailable`. */
function asStoreError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof RekeyError || typeof code !== 'string') return error;
  // A value too big or of a type SQLite cannot bind: bad input, as on PostgreSQL (class 22).
  if (/^SQLITE_(TOOBIG|MISMATCH|RANGE)/.test(code)) {
    const refused = new RekeyError('invalid_request', 'The request holds a value the credential store cannot hold.');
    refused.cause = error;
    return refused;
  }
  if (!UNAVAILABLE.test(code)) return error;
  const unavailable = new RekeyError('unavailable', 'The credential store is unavailable; try again shortly.', { retryAfter: 1 });
  unavailable.cause = error;
  return unavailable;
}

function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw asStoreError(error);
  }
}

/**
 * better-sqlite3 behind the async SqlDb port. One connection per process: a promise-chain
 * lock keeps statements of other requests out of an open transaction, and BEGIN IMMEDIATE
 * takes the write lock up front so writers in other processes (the CLI) queue instead of
 * failing on a stale snapshot.
 */
export function openSqliteDb(path: string): SqlDb & { dataVersion(): number } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const toParams = (params: readonly unknown[]): unknown[] => {
    refuseUnholdable(params);
    return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value === undefined ? null : value));
  };

  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work, work);
    tail = result.catch(() => undefined);
    return result;
  };

  const direct: SqlDb = {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      guarded(() => {
        const statement = prepare(sql);
        return (statement.reader ? statement.all(...toParams(params)) : (statement.run(...toParams(params)), [])) as T[];
      }),
    run: async (sql, params = []) => guarded(() => prepare(sql).run(...toParams(params)).changes),
    transaction: (work) => work(direct),
    close: async () => undefined,
  };

  return {
    dialect: 'sqlite',
    all: (sql, params) => exclusive(() => direct.all(sql, params)),
    run: (sql, params) => exclusive(() => direct.run(sql, params)),
    transaction: (work) =>
      exclusive(async () => {
        guarded(() => prepare('BEGIN IMMEDIATE').run());
        try {
          const result = await work(direct);
          guarded(() => prepare('COMMIT').run());
          return result;
        } catch (error) {
          if (db.inTransaction) prepare('ROLLBACK').run();
          throw error;
        }
      }),
    close: async () => {
      await tail;
      db.close();
    },
    dataVersion: () => guarded(() => db.pragma('data_version', { simple: true }) as number),
  };
}
