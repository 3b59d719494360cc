// Basic whoami on a store of 1 000 000 apikey clients (BENCH_CLIENTS), the requests spread over
// 100 000 of them (BENCH_HOT_CLIENTS) with a Zipf-like distribution: the k-th most used client is
// asked for in proportion to 1 / k^s (BENCH_ZIPF_S, default 1). The seeded SQLite file is built once
// and cached under .bench/ (bench/lib/seed-clients.js); each run serves a copy of it. Besides the
// load, the row reports the server's RSS after its rounds and the time from spawning `rekey serve`
// to the first answered whoami of a seeded client.
import { closeSync, constants, copyFileSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { seededClients } from '../lib/seed-clients.js';
import { serveRekey } from '../lib/rekey-node.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1_000_000);
const HOT = Math.min(CLIENTS, Number(process.env.BENCH_HOT_CLIENTS ?? 100_000));
const ZIPF_S = Number(process.env.BENCH_ZIPF_S ?? 1);
const REQUESTS = Number(process.env.BENCH_ZIPF_REQUESTS ?? 200_000);
const label = `${CLIENTS >= 1e6 && CLIENTS % 1e6 === 0 ? `${CLIENTS / 1e6} M` : CLIENTS} clients`;

let seeded = null;

/** Ranks 0..n-1 drawn with P(k) ∝ 1/(k+1)^s, by inverse transform over the cumulative weights. */
function zipfSample(n, s, count) {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / Math.pow(k + 1, s);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const target = Math.random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    out[i] = low;
  }
  return out;
}

const basic = ([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export default {
  name: `whoami (Basic, apikey; ${label}, Zipf over ${HOT})`,
  async startServer(ctx) {
    seeded = await seededClients(ctx.root, { clients: CLIENTS, hot: HOT });
    const file = join(ctx.workDir, 'clients.db');
    copyFileSync(seeded.file, file, constants.COPYFILE_FICLONE);
    // Written out before the rounds, so the kernel's write-back of the copy (hundreds of MB) does not
    // run during them and slow the baseline and the node alike.
    const handle = openSync(file, 'r+');
    fsyncSync(handle);
    closeSync(handle);
    const node = await serveRekey(
      { REKEY_DATABASE_URL: file, REKEY_MASTER_KEY: seeded.masterKey, REKEY_LOG_LEVEL: 'info' },
      { cpu: ctx.cpus[0], readyPath: '/v1/whoami', readyHeaders: { authorization: basic(seeded.hot[0]) } },
    );
    const startMs = node.readyMs;
    return {
      url: node.url,
      pid: node.pid,
      stop: () => node.stop(),
      report: () => [
        { name: `… ${label}: server RSS after the rounds`, note: `${node.rssMiB().toFixed(0)} MiB` },
        { name: `… ${label}: spawn of rekey serve to first answered whoami`, note: `${startMs.toFixed(0)} ms` },
      ],
    };
  },
  async prepare() {
    const ranks = zipfSample(seeded.hot.length, ZIPF_S, REQUESTS);
    const requests = Array.from(ranks, (rank) => ({
      method: 'GET',
      path: '/v1/whoami',
      headers: { authorization: basic(seeded.hot[rank]) },
    }));
    const distinct = new Set(ranks).size;
    process.stderr.write(`bench:   ${requests.length} requests over ${distinct} distinct clients (Zipf s = ${ZIPF_S})\n`);
    // Warmed up until the list has gone round about twice (at ~50 k req/s), so the rounds measure a node
    // that has every client of the list cached and its first usage flush (which inserts their usage rows) behind it.
    return { requests, unique: false, warmupSeconds: 8 };
  },
};
