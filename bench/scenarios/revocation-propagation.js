// Revocation propagation (SPEC §9): two Rekey nodes on one PostgreSQL schema, node B under Basic
// load from wrk (another client, bounded in time), then TRIALS times: a zero-grace regenerate of a
// client on node A through the control API, and node B polled with the old secret, one request
// after another, until it refuses it. The time is counted from A's answer to the regenerate (the
// change is committed by then) to B's first refusal.
import { spawn, spawnSync } from 'node:child_process';
import { startPostgresRekey } from '../lib/postgres.js';

const TRIALS = Number(process.env.BENCH_REVOCATION_TRIALS ?? 100);
const GIVE_UP_MS = 5000;
const hasTaskset = spawnSync('which', ['taskset']).status === 0;

const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function statusOf(url, authorization) {
  const response = await fetch(`${url}/v1/whoami`, { headers: { authorization } });
  await response.arrayBuffer();
  return response.status;
}

/** wrk on node B for at most `seconds`, on the load core; resolves with its output when it ends. */
function startLoad(ctx, url, authorization, seconds) {
  const args = ['-t1', '-c16', `-d${seconds}s`, '-H', `Authorization: ${authorization}`, `${url}/v1/whoami`];
  const child = hasTaskset ? spawn('taskset', ['-c', ctx.cpus[1], 'wrk', ...args]) : spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const done = new Promise((resolve) => child.once('exit', () => resolve(out)));
  return { stop: () => (child.exitCode === null && child.signalCode === null && child.kill('SIGINT'), done), done };
}

export default {
  name: 'revocation propagation (2 nodes, PostgreSQL)',
  async measure(ctx) {
    const deployment = await startPostgresRekey(ctx, { nodes: 2 });
    const [, b] = deployment.nodes; // the control API (deployment.request) is node A
    let load = null;
    try {
      const loadClient = await deployment.request('POST', '/v1/clients', { profile: 'apikey', name: 'bench load' });
      const trial = await deployment.request('POST', '/v1/clients', { profile: 'apikey', name: 'bench revoked' });
      // wrk's -d is the bound; it is interrupted as soon as the trials are done.
      load = startLoad(ctx, b.url, basic(loadClient.id, loadClient.secret), Math.ceil(TRIALS * 1.5) + 30);
      let secret = trial.secret;
      const delays = [];
      const regenerateMs = [];
      let timeouts = 0;
      for (let i = 0; i < TRIALS; i++) {
        // B must accept the current secret first (and so hold it in its cache).
        const accepted = Date.now() + GIVE_UP_MS;
        while ((await statusOf(b.url, basic(trial.id, secret))) !== 200) {
          if (Date.now() > accepted) throw new Error(`node B never accepted the new secret of trial ${i}`);
        }
        const old = basic(trial.id, secret);
        const sent = performance.now();
        const regenerated = await deployment.request('POST', `/v1/clients/${trial.id}/regenerate`, { graceSeconds: 0 });
        const committed = performance.now();
        regenerateMs.push(committed - sent);
        secret = regenerated.secret;
        for (;;) {
          const status = await statusOf(b.url, old);
          const elapsed = performance.now() - committed;
          if (status !== 200) {
            delays.push(elapsed);
            break;
          }
          if (elapsed > GIVE_UP_MS) {
            timeouts++;
            delays.push(elapsed);
            break;
          }
        }
      }
      const out = await load.stop();
      const loadRps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
      const loadFailures = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      const sorted = delays.sort((x, y) => x - y);
      const regenerate = regenerateMs.sort((x, y) => x - y);
      const ms = (value) => value.toFixed(1);
      return [
        {
          name: `revocation propagation A → B, ${TRIALS} trials (PostgreSQL)`,
          value: `p50 ${ms(percentile(sorted, 50))} / p99 ${ms(percentile(sorted, 99))} / max ${ms(sorted.at(-1))}`,
          unit: `ms${timeouts > 0 ? ` — ${timeouts} NOT REFUSED within ${GIVE_UP_MS} ms` : ''}`,
        },
        {
          name: '… regenerate on node A (round trip), load on node B',
          value: `p50 ${ms(percentile(regenerate, 50))} ms; B under ${Number.isFinite(loadRps) ? loadRps.toFixed(0) : '–'} req/s`,
          unit: `(${loadFailures} non-2xx)`,
        },
      ];
    } finally {
      await load?.stop();
      await deployment.release();
    }
  },
};
