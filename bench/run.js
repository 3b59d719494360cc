// Benchmark runner: see bench/README-scenarios.md. Prints numbers, never pass/fail.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
// Each row is preceded by an unmeasured run of this length (JIT, caches, connections); rows whose
// requests are single-use (signed nonces) skip it, since a warm-up would spend them.
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
const cpus = spawnSync('nproc').stdout?.toString().trim() === '1' ? ['0', '0'] : ['0', '1'];

if (spawnSync('which', ['wrk']).status !== 0) {
  console.error('bench: wrk is not installed (apt-get install -y wrk).');
  process.exit(2);
}
const hasTaskset = spawnSync('which', ['taskset']).status === 0;
const pinned = (cpu, command, args) => (hasTaskset ? ['taskset', ['-c', cpu, command, ...args]] : [command, args]);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

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

function runWrk(url, requests, workDir, label, { warm = true } = {}) {
  const host = new URL(url).host;
  const file = join(workDir, `${label.replace(/\W+/g, '_')}.req`);
  writeFileSync(file, requests.map((request) => `${rawRequest(host, request)}\0`).join(''));
  const script = join(workDir, 'cycle.lua');
  writeFileSync(script, LUA);
  const wrk = (duration) => {
    const [cmd, argv] = pinned(cpus[1], 'wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url, '--', file]);
    return spawnSync(cmd, argv, { encoding: 'utf8', timeout: (duration + 30) * 1000 });
  };
  if (warm && warmupSeconds > 0) wrk(warmupSeconds);
  const result = wrk(seconds);
  const out = result.stdout ?? '';
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/NON2XX (\d+)/.exec(out)?.[1] ?? NaN);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  return { rps, p50, p99, non2xx, total };
}

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), 'rekey-bench-'));
  const children = [];
  const stopAll = () => children.forEach((child) => child.kill('SIGTERM'));
  process.on('exit', stopAll);
  try {
    const env = {
      REKEY_DATABASE_URL: join(workDir, 'rekey.db'),
      REKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      REKEY_LOG_LEVEL: 'info',
    };
    const init = spawnSync('node', [join(root, 'bin/rekey.js'), 'init', '--json', '--account', 'bench1', '--name', 'Bench', '--admin-email', 'bench@example.test'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
    const { adminToken, accountId } = JSON.parse(init.stdout);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    children.push(start(cpus[0], 'node', [join(root, 'bin/rekey.js'), 'serve'], { ...env, REKEY_PORT: String(port) }));
    await waitFor(`${url}/healthz`);

    const barePort = await freePort();
    children.push(start(cpus[0], 'node', [join(root, 'bench/bare-server.js')], { PORT: String(barePort) }));
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitFor(bareUrl);

    const request = async (method, path, body) => {
      const response = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const ctx = { url, adminToken, accountId, count: Number(process.env.BENCH_UNIQUE_COUNT ?? 40_000 * seconds), request };

    const rows = [];
    const basic = `Basic ${Buffer.from('cli_bench:rk_sec_bench').toString('base64')}`;
    const bareRequests = [{ method: 'GET', path: '/v1/whoami', headers: { authorization: basic } }];
    // The baseline is measured first and last; ratios are to the mean, so a machine that
    // speeds up or slows down during the run does not favour the rows measured early.
    const bareFirst = runWrk(bareUrl, bareRequests, workDir, 'bare');
    const bare = { rps: NaN };
    rows.push({ name: 'bare node:http handler (baseline, first)', ...bareFirst });

    const files = readdirSync(join(root, 'bench/scenarios')).filter((file) => file.endsWith('.js')).sort();
    for (const file of files) {
      const scenario = (await import(pathToFileURL(join(root, 'bench/scenarios', file)).href)).default;
      if (only && !only.test(scenario.name)) continue;
      process.stderr.write(`bench: ${scenario.name}\n`);
      try {
        if (scenario.measure) {
          for (const row of await scenario.measure(ctx)) rows.push({ name: row.name, note: `${row.value} ${row.unit}` });
        }
        if (!scenario.prepare) continue;
        let target = url;
        let peer = null;
        if (scenario.startServer) {
          peer = await scenario.startServer(ctx);
          target = peer.url;
        }
        try {
          const prepared = await scenario.prepare({ ...ctx, url: target });
          rows.push({ name: scenario.name, versus: scenario.versus, ...runWrk(target, prepared.requests, workDir, scenario.name, { warm: !prepared.unique }) });
        } finally {
          await peer?.stop();
        }
      } catch (error) {
        rows.push({ name: scenario.name, note: `failed: ${error.message}` });
      }
    }

    const bareLast = runWrk(bareUrl, bareRequests, workDir, 'bare');
    rows.push({ name: 'bare node:http handler (baseline, last)', ...bareLast });
    bare.rps = (bareFirst.rps + bareLast.rps) / 2;

    const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
    const lines = [
      `Rekey benchmark — ${seconds} s per row after ${warmupSeconds} s of warm-up, ${connections} connections, wrk on CPU ${cpus[1]}, servers on CPU ${cpus[0]}, SQLite, info logging; × bare is to the mean of the two baseline rows`,
      '',
      '| scenario | req/s | p50 ms | p99 ms | non-2xx | × bare |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const row of rows) {
      if (row.note !== undefined) {
        lines.push(`| ${row.name} | ${row.note} | | | | |`);
        continue;
      }
      lines.push(`| ${row.name} | ${fmt(row.rps)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.non2xx)} | ${fmt(row.rps / bare.rps, 2)} |`);
    }
    // Rows that name another row (`versus`) also get their ratio to it.
    const versus = rows.filter((row) => row.versus !== undefined && Number.isFinite(row.rps)).map((row) => {
      const other = rows.find((candidate) => candidate.name === row.versus);
      return other && Number.isFinite(other.rps) ? `- ${row.name}: ${fmt(row.rps / other.rps, 2)}× ${other.name}` : `- ${row.name}: (${row.versus} not measured)`;
    });
    if (versus.length > 0) lines.push('', ...versus);
    console.log(lines.join('\n'));
  } finally {
    stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
