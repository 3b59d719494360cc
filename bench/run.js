// Benchmark runner: see bench/README-scenarios.md. Prints numbers, never pass/fail.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { controlApi, freePort } from './lib/rekey-node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
// Each row is preceded by an unmeasured run of this length (JIT, caches, connections); rows whose
// requests are single-use (signed nonces) skip it, since a warm-up would spend them.
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
// Each row is measured in this many rounds, interleaved with the rows it is compared with.
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const slice = Math.max(1, Math.round(seconds / rounds));
const cpus = spawnSync('nproc').stdout?.toString().trim() === '1' ? ['0', '0'] : ['0', '1'];
// `--json` (or `--json=PATH`) also writes the final table as JSON; the default path is gitignored.
const jsonArg = process.argv.slice(2).find((arg) => arg === '--json' || arg.startsWith('--json='));
const jsonPath =
  jsonArg === undefined ? null : resolve(jsonArg.includes('=') ? jsonArg.slice('--json='.length) : join(root, 'bench/results.json'));

if (spawnSync('which', ['wrk']).status !== 0) {
  console.error('bench: wrk is not installed (apt-get install -y wrk).');
  process.exit(2);
}
const hasTaskset = spawnSync('which', ['taskset']).status === 0;
const pinned = (cpu, command, args) => (hasTaskset ? ['taskset', ['-c', cpu, command, ...args]] : [command, args]);

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

function start(cpu, command, args, env) {
  const [cmd, argv] = pinned(cpu, command, args);
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

function toMs(text) {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function rawRequest(host, request) {
  const body = request.body ?? '';
  const lines = [`${request.method} ${request.path} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`);
  if (body.length > 0 || request.method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

const LUA = `
local reqs = {}
local i = 0
init = function(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  for r in string.gmatch(data, "(.-)%z") do reqs[#reqs + 1] = r end
end
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
local non2xx = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("NON2XX %d\\n", non2xx))
end
`;

// Writes a request file for wrk's cycling script; returns its path.
function writeRequests(url, requests, workDir, label) {
  const host = new URL(url).host;
  const file = join(workDir, `${label.replace(/\W+/g, '_')}.req`);
  writeFileSync(file, requests.map((request) => `${rawRequest(host, request)}\0`).join(''));
  return file;
}

// CPU time (user + system, in clock ticks) a process has used so far; null where /proc is missing.
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
function cpuTicks(pid) {
  if (!pid) return null;
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

// One wrk run of `duration` seconds against `url`, cycling the requests in `file`; with the server's
// pid, also the CPU the server spent per answered request (µs), which drifts less than req/s.
function runWrk(url, file, workDir, duration, pid) {
  const script = join(workDir, 'cycle.lua');
  writeFileSync(script, LUA);
  const [cmd, argv] = pinned(cpus[1], 'wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url, '--', file]);
  const before = cpuTicks(pid);
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: (duration + 30) * 1000 });
  const after = cpuTicks(pid);
  const out = result.stdout ?? '';
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const cpuUs = before !== null && after !== null && requests > 0 ? (((after - before) / ticksPerSecond) * 1e6) / requests : NaN;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/NON2XX (\d+)/.exec(out)?.[1] ?? NaN);
  return { rps, p50, p99, non2xx, cpuUs };
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Measures a group of targets (the bare baseline, an optional peer, one scenario) in `rounds`
 * interleaved rounds of `slice` seconds each, so every ratio compares runs made side by side: on a
 * shared machine, throughput drifts by tens of percent within a minute. A target with
 * `unique: true` gets a disjoint share of its requests each round (single-use nonces).
 */
function measureGroup(targets, workDir) {
  const files = targets.map((target) => {
    const shares = target.unique ? rounds : 1;
    const size = Math.ceil(target.requests.length / shares);
    return Array.from({ length: shares }, (_, share) =>
      writeRequests(target.url, target.requests.slice(share * size, (share + 1) * size), workDir, `${target.name} ${share}`),
    );
  });
  targets.forEach((target, index) => {
    // A scenario may ask for a longer warm-up (the 1 M-client row: until its request list went round once).
    const seconds = Math.max(warmupSeconds, target.warmupSeconds ?? 0);
    if (target.unique || target.warm || seconds <= 0) return;
    runWrk(target.url, files[index][0], workDir, seconds);
    target.warm = true;
  });
  const runs = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    targets.forEach((target, index) =>
      runs[index].push(runWrk(target.url, files[index][target.unique ? round : 0], workDir, slice, target.pid)),
    );
    process.stderr.write(
      `bench:   round ${round + 1}: ${targets.map((target, index) => `${Math.round(runs[index][round].rps)}`).join(' / ')} req/s\n`,
    );
  }
  return runs;
}

/** One table row from a target's rounds: mean req/s, the rounds' median latencies, all non-2xx. */
function summarise(name, runs) {
  return {
    name,
    rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    cpuUs: median(runs.map((run) => run.cpuUs)),
    runs,
  };
}

/** The median over rounds of a/b, pairing each round of `a` with the same round of `b`. */
const pairedRatio = (a, b) => median(a.runs.map((run, round) => run.rps / b.runs[round].rps));

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), 'rekey-bench-'));
  const children = [];
  // Shared resources scenarios start lazily (a PostgreSQL node, its schema): released at the end.
  const cleanups = [];
  const stopAll = () => children.forEach((child) => child.kill('SIGTERM'));
  process.on('exit', stopAll);
  try {
    const env = {
      REKEY_DATABASE_URL: join(workDir, 'rekey.db'),
      REKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      REKEY_LOG_LEVEL: 'info',
    };
    const init = spawnSync(
      'node',
      [join(root, 'bin/rekey.js'), 'init', '--json', '--account', 'bench1', '--name', 'Bench', '--admin-email', 'bench@example.test'],
      { env: { ...process.env, ...env }, encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
    const { adminToken, accountId } = JSON.parse(init.stdout);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // BENCH_CPU_PROF=<dir>: the Rekey node writes a V8 CPU profile there when the run stops it.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const rekeyServer = start(cpus[0], 'node', [...profile, join(root, 'bin/rekey.js'), 'serve'], { ...env, REKEY_PORT: String(port) });
    children.push(rekeyServer);
    await waitFor(`${url}/healthz`);

    const barePort = await freePort();
    const bareServer = start(cpus[0], 'node', [join(root, 'bench/bare-server.js')], { PORT: String(barePort) });
    children.push(bareServer);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitFor(bareUrl);

    const request = controlApi(url, adminToken);
    const ctx = {
      url,
      adminToken,
      accountId,
      count: Number(process.env.BENCH_UNIQUE_COUNT ?? 40_000 * seconds),
      request,
      root,
      workDir,
      cpus,
      seconds,
      connections,
      cleanup: (release) => cleanups.push(release),
    };

    const rows = [];
    const basic = `Basic ${Buffer.from('cli_bench:rk_sec_bench').toString('base64')}`;
    const bareTarget = {
      name: 'bare node:http handler (baseline)',
      url: bareUrl,
      pid: bareServer.pid,
      requests: [{ method: 'GET', path: '/v1/whoami', headers: { authorization: basic } }],
      unique: false,
    };
    const bareRuns = [];

    const scenarios = [];
    for (const file of readdirSync(join(root, 'bench/scenarios'))
      .filter((name) => name.endsWith('.js'))
      .sort()) {
      // A module exports one scenario, or several (e.g. the same rows on PostgreSQL).
      scenarios.push(...[(await import(pathToFileURL(join(root, 'bench/scenarios', file)).href)).default].flat());
    }
    // A scenario another one is compared with (`versus`) is measured inside that one's rounds.
    const peers = new Set(scenarios.map((scenario) => scenario.versus).filter(Boolean));
    for (const scenario of scenarios) {
      if (peers.has(scenario.name) || (only && !only.test(scenario.name))) continue;
      process.stderr.write(`bench: ${scenario.name}\n`);
      const started = [];
      try {
        if (scenario.measure) {
          // A row is a value with its unit (shown as a note), or req/s-like columns (rps, p50, p99, non2xx, cpuUs, xBare).
          for (const row of await scenario.measure(ctx))
            rows.push('value' in row ? { name: row.name, note: `${row.value} ${row.unit}` } : row);
        }
        if (!scenario.prepare) continue;
        const group = [scenario.versus ? scenarios.find((candidate) => candidate.name === scenario.versus) : null, scenario].filter(
          Boolean,
        );
        const targets = [bareTarget];
        for (const member of group) {
          let target = url;
          let pid = rekeyServer.pid;
          if (member.startServer) {
            const peer = await member.startServer(ctx);
            started.push(peer);
            target = peer.url;
            pid = peer.pid;
          }
          // A started server may bring its own control API (another Rekey node: its admin token and account).
          const prepared = await member.prepare({ ...ctx, url: target, ...(started.at(-1)?.ctx ?? {}) });
          targets.push({
            name: member.name,
            url: target,
            pid,
            requests: prepared.requests,
            unique: prepared.unique === true,
            warmupSeconds: prepared.warmupSeconds,
          });
        }
        const runs = measureGroup(targets, workDir);
        bareRuns.push(...runs[0]);
        const bare = summarise(bareTarget.name, runs[0]);
        const measured = targets.slice(1).map((target, index) => summarise(target.name, runs[index + 1]));
        for (const row of measured) rows.push({ ...row, xBare: pairedRatio(row, bare) });
        if (measured.length === 2)
          rows.push({ name: `${scenario.name} ÷ ${scenario.versus}`, note: `${pairedRatio(measured[1], measured[0]).toFixed(2)} ×` });
        // Facts a started server reports after its load (e.g. its RSS, its start-up time).
        for (const peer of started) for (const row of (await peer.report?.()) ?? []) rows.push(row);
      } catch (error) {
        // `skip` marks a row that cannot run here (e.g. PostgreSQL unreachable): a note, not a failure.
        rows.push({ name: scenario.name, note: `${error.skip ? 'skipped' : 'failed'}: ${error.message}` });
        if (error.skip) process.stderr.write(`bench:   skipped: ${error.message}\n`);
      } finally {
        for (const peer of started) await peer.stop();
      }
    }
    rows.unshift({ ...summarise(bareTarget.name, bareRuns), xBare: 1 });

    const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
    const lines = [
      `Rekey benchmark — ${rounds} interleaved rounds of ${slice} s per row (each row after ${warmupSeconds} s of warm-up unless its requests are single-use), ${connections} connections, wrk on CPU ${cpus[1]}, servers on CPU ${cpus[0]}, SQLite unless the row says PostgreSQL (its database server unpinned), info logging.`,
      "req/s is the mean over the rounds, p50/p99 the median of the rounds' values; × bare and ÷ peer are the median of per-round ratios, each round measured next to the baseline (and the peer) of the same round. CPU µs/req is the server process's user + system time per answered request (median over the rounds).",
      '',
      '| scenario | req/s | p50 ms | p99 ms | non-2xx | CPU µs/req | × bare |',
      '|---|---:|---:|---:|---:|---:|---:|',
    ];
    for (const row of rows) {
      if (row.note !== undefined) {
        lines.push(`| ${row.name} | ${row.note} | | | | | |`);
        continue;
      }
      lines.push(
        `| ${row.name} | ${fmt(row.rps)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.non2xx)} | ${fmt(row.cpuUs, 1)} | ${fmt(row.xBare, 2)} |`,
      );
    }
    console.log(lines.join('\n'));
    if (jsonPath) {
      const settings = { rounds, sliceSeconds: slice, warmupSeconds, connections, wrkCpu: cpus[1], serverCpu: cpus[0] };
      const table = rows.map(({ runs, ...row }) => ({ ...row, rounds: runs?.map((run) => ({ ...run })) }));
      mkdirSync(dirname(jsonPath), { recursive: true });
      writeFileSync(
        jsonPath,
        `${JSON.stringify({ at: new Date().toISOString(), node: process.version, settings, rows: table }, null, 2)}\n`,
      );
      process.stderr.write(`bench: wrote ${jsonPath}\n`);
    }
  } finally {
    for (const release of cleanups.reverse()) await release().catch((error) => process.stderr.write(`bench: cleanup: ${error.message}\n`));
    stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
