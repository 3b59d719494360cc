// Starting Rekey nodes for rows that need a server of their own (another store, a seeded database,
// two nodes): `rekey init` and `rekey serve` from bin/, as an operator runs them, on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(root, 'bin/rekey.js');
const hasTaskset = spawnSync('which', ['taskset']).status === 0;

// Nodes started here that are still running; killed (each by its own pid) if the runner exits early.
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `rekey init` on the database `env` names: the account id and the admin token. */
export function initRekey(env, account = 'bench1') {
  const init = spawnSync(
    process.execPath,
    [BIN, 'init', '--json', '--account', account, '--name', 'Bench', '--admin-email', 'bench@example.test'],
    { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
  );
  if (init.status !== 0) throw new Error(`rekey init failed: ${init.stderr}`);
  const { adminToken, accountId } = JSON.parse(init.stdout);
  return { adminToken, accountId };
}

/** A control-API caller with an admin token, as the runner's `ctx.request`. */
export function controlApi(url, adminToken) {
  return async (method, path, body) => {
    const response = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/**
 * `rekey serve` on a free loopback port, pinned to `cpu` when taskset exists (taskset execs node,
 * so `pid` is the server's own). `ready` resolves once `readyPath` answers 2xx (default /healthz
 * reporting a fresh cache); `startedAt` is the moment of the spawn (performance.now()).
 */
export async function serveRekey(env, { cpu = '0', readyPath = '/healthz', readyHeaders = {}, readyTimeoutMs = 60_000 } = {}) {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: the node writes a V8 CPU profile there when it is stopped.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const args = [...profile, BIN, 'serve'];
  const startedAt = performance.now();
  const child = hasTaskset
    ? spawn('taskset', ['-c', cpu, process.execPath, ...args], {
        env: { ...process.env, REKEY_LOG_LEVEL: 'warn', ...env, REKEY_PORT: String(port), REKEY_HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(process.execPath, args, {
        env: { ...process.env, REKEY_LOG_LEVEL: 'warn', ...env, REKEY_PORT: String(port), REKEY_HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-4000)));
  running.add(child);
  const exited = new Promise((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const node = {
    url,
    pid: child.pid,
    child,
    startedAt,
    /** Resident memory of the server process, in MiB (VmRSS of /proc/<pid>/status). */
    rssMiB() {
      try {
        const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
        return kib / 1024;
      } catch {
        return NaN;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`rekey serve exited before it was ready: ${errors}`);
    try {
      const response = await fetch(url + readyPath, { headers: readyHeaders });
      const body = await response.text();
      if (response.ok && (readyPath !== '/healthz' || JSON.parse(body).fresh === true)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await node.stop();
      throw new Error(`rekey serve was not ready within ${readyTimeoutMs} ms: ${errors}`);
    }
    await sleep(5);
  }
  node.readyMs = performance.now() - startedAt;
  return node;
}
