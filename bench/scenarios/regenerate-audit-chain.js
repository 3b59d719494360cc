// What the audit hash chain (SPEC §12) costs a rotation: regenerateSecret of the built core, called
// in this process on a runtime of its own (SQLite, then PostgreSQL), with the store as shipped
// (each event sealed into its account's chain in the regenerate's transaction) and with the store
// of bench/lib/unchained-store.js (the same event inserted as a plain row, as before chaining).
// Both are measured in BENCH_ROUNDS interleaved rounds of BENCH_REGENERATE_OPS sequential
// regenerates each (zero grace, over 20 apikey clients of one account), then the same number with
// 8 in flight: on PostgreSQL those serialise on the account's chain head.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSchema } from '../lib/postgres.js';
import { initRekey } from '../lib/rekey-node.js';
import { unchainedStoreFactory } from '../lib/unchained-store.js';

const OPS = Number(process.env.BENCH_REGENERATE_OPS ?? 200);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const CLIENTS = 20;
const IN_FLIGHT = 8;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function measureStore(ctx, kind, env) {
  const { loadConfig } = await import(join(ctx.root, 'dist/config.js'));
  const { createRuntime } = await import(join(ctx.root, 'dist/main.js'));
  const { createClient, regenerateSecret } = await import(join(ctx.root, 'dist/core/credentials/index.js'));
  const unchained = await unchainedStoreFactory(ctx.root);
  const { accountId } = initRekey(env);
  const runtime = await createRuntime(loadConfig({ ...env, REKEY_LOG_LEVEL: 'warn' }), { background: false });
  try {
    const [member] = await runtime.opened.db.all('SELECT id FROM members WHERE account_id = ?', [accountId]);
    const caller = {
      accountId,
      memberId: member.id,
      actor: { type: 'member', id: member.id },
      permissions: new Set(['credentials.manage']),
    };
    const modes = {
      chained: runtime.core,
      unchained: { ...runtime.core, store: unchained(runtime.opened.db) },
    };
    const clients = [];
    for (let i = 0; i < CLIENTS; i++)
      clients.push((await createClient(runtime.core, caller, { profile: 'apikey', name: `regen ${i}`, fields: {} })).id);
    let next = 0;
    const regenerate = (deps) => regenerateSecret(deps, caller, clients[next++ % CLIENTS], { graceSeconds: 0 }, { via: 'control' });
    const results = Object.fromEntries(Object.keys(modes).map((mode) => [mode, { latencies: [], seconds: 0, concurrentSeconds: 0 }]));
    // Warm-up: both modes, unmeasured.
    for (const deps of Object.values(modes)) for (let i = 0; i < 20; i++) await regenerate(deps);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['chained', 'unchained'] : ['unchained', 'chained'];
      for (const mode of order) {
        const result = results[mode];
        const started = performance.now();
        for (let i = 0; i < OPS; i++) {
          const before = performance.now();
          await regenerate(modes[mode]);
          result.latencies.push(performance.now() - before);
        }
        result.seconds += (performance.now() - started) / 1000;
        const concurrent = performance.now();
        let left = OPS;
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (left-- > 0) await regenerate(modes[mode]);
          }),
        );
        result.concurrentSeconds += (performance.now() - concurrent) / 1000;
      }
      process.stderr.write(
        `bench:   ${kind} round ${round + 1}: chained ${percentile(results.chained.latencies, 50).toFixed(2)} ms, unchained ${percentile(results.unchained.latencies, 50).toFixed(2)} ms (p50 so far)\n`,
      );
    }
    const verified = await runtime.opened.db.all('SELECT COUNT(*) AS n FROM audit_events WHERE seq IS NULL', []);
    const rows = [];
    for (const mode of ['chained', 'unchained']) {
      const result = results[mode];
      rows.push({
        name: `regenerate, ${kind}, ${mode === 'chained' ? 'audit chain (as shipped)' : 'no chain (events unsealed)'}: ops/s sequential`,
        rps: (OPS * ROUNDS) / result.seconds,
        p50: percentile(result.latencies, 50),
        p99: percentile(result.latencies, 99),
      });
      rows.push({
        name: `… ${mode}, ${IN_FLIGHT} in flight`,
        note: `${((OPS * ROUNDS) / result.concurrentSeconds).toFixed(0)} ops/s`,
      });
    }
    const ratio = percentile(results.chained.latencies, 50) / percentile(results.unchained.latencies, 50);
    rows.push({
      name: `regenerate, ${kind}: chained ÷ unchained`,
      note: `p50 ${ratio.toFixed(2)} ×, ops/s ${(results.unchained.seconds / results.chained.seconds).toFixed(2)} ×, ${IN_FLIGHT} in flight ${(results.unchained.concurrentSeconds / results.chained.concurrentSeconds).toFixed(2)} × (${Number(verified[0].n)} events left unsealed)`,
    });
    return rows;
  } finally {
    await runtime.close();
  }
}

export default {
  name: 'regenerate latency with and without the audit chain',
  async measure(ctx) {
    const masterKey = randomBytes(32).toString('base64');
    const rows = await measureStore(ctx, 'SQLite', { REKEY_DATABASE_URL: join(ctx.workDir, 'regenerate.db'), REKEY_MASTER_KEY: masterKey });
    let database;
    try {
      database = await createSchema();
    } catch (error) {
      if (!error.skip) throw error;
      process.stderr.write(`bench:   skipped on PostgreSQL: ${error.message}\n`);
      return [...rows, { name: 'regenerate, PostgreSQL', note: `skipped: ${error.message}` }];
    }
    try {
      return [...rows, ...(await measureStore(ctx, 'PostgreSQL', { REKEY_DATABASE_URL: database.url, REKEY_MASTER_KEY: masterKey }))];
    } finally {
      await database.drop();
    }
  },
};
