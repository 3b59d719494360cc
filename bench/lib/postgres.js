// PostgreSQL for the bench rows: a schema of its own in REKEY_BENCH_DATABASE_URL (default the local
// server's `postgres` database), created for the run and dropped after it, as the tests do.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { initRekey, controlApi, serveRekey } from './rekey-node.js';

export const BENCH_DATABASE_URL = process.env.REKEY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** An Error the runner prints as "skipped: …" instead of "failed: …". */
export function skip(message) {
  return Object.assign(new Error(message), { skip: true });
}

/** A fresh schema; `url` selects it (search_path). Throws a skip when PostgreSQL is unreachable. */
export async function createSchema() {
  const base = new URL(BENCH_DATABASE_URL);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(base.hostname)) throw skip(`${base.host} is not loopback`);
  const schema = `rk_bench_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    throw skip(`PostgreSQL unreachable at ${base.host} (${error.message}); set REKEY_BENCH_DATABASE_URL`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(BENCH_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * A Rekey deployment on a fresh PostgreSQL schema: `rekey init`, then `nodes` servers on it (all
 * pinned to the server core). `release()` stops the nodes, then drops the schema; it also runs at
 * the end of the run (ctx.cleanup) if the row did not call it.
 */
export async function startPostgresRekey(ctx, { nodes = 1, masterKey = randomBytes(32).toString('base64') } = {}) {
  const database = await createSchema();
  const env = { REKEY_DATABASE_URL: database.url, REKEY_MASTER_KEY: masterKey, REKEY_LOG_LEVEL: 'warn' };
  const started = [];
  let released = null;
  const release = () =>
    (released ??= (async () => {
      for (const node of started) await node.stop();
      await database.drop();
    })());
  try {
    const { adminToken, accountId } = initRekey(env);
    for (let i = 0; i < nodes; i++) started.push(await serveRekey(env, { cpu: ctx.cpus[0] }));
    ctx.cleanup(release);
    return { nodes: started, adminToken, accountId, env, request: controlApi(started[0].url, adminToken), release };
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

let shared = null;

/** One PostgreSQL-backed node shared by the PostgreSQL rows of a run (started by the first of them). */
export function sharedPostgresRekey(ctx) {
  shared ??= startPostgresRekey(ctx).catch((error) => {
    shared = null;
    throw error;
  });
  return shared;
}
