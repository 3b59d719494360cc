import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './harness.js';
import { scrape, valueOf } from './prometheus-text.js';

const BIN = fileURLToPath(new URL('../../bin/rekey.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/run-cli.js', import.meta.url));

/** A `rekey serve` child process (the built CLI, as an operator runs it). */
export interface NodeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves when the process has exited, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns `node bin/rekey.js serve` with `env` on a free loopback port and waits until it answers
 * /healthz with a confirmed-fresh cache. Needs `npm run build` (npm test builds first).
 */
export async function startNode(
  env: Record<string, string>,
  options: { port?: number; readyTimeoutMs?: number } = {},
): Promise<NodeProcess> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` before these tests.');
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', REKEY_LOG_LEVEL: 'warn', ...env, REKEY_PORT: String(port), REKEY_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const url = `http://127.0.0.1:${port}`;
  const server: NodeProcess = {
    url,
    port,
    child,
    exited,
    output: () => output,
    async kill() {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (hasExited) throw new Error(`rekey serve exited before it was ready:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok && ((await response.json()) as { fresh?: boolean }).fresh === true) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`rekey serve was not ready within the time limit:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kills every node this test file started that is still running. */
export async function stopAllNodes(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Freshness (GET /healthz) and the credential cache counters (GET /metrics) of a server. */
export async function healthOf(
  url: string,
): Promise<{ fresh: boolean; cache: { hits: number; misses: number; invalidations: number; entries: number } }> {
  const response = await fetch(`${url}/healthz`);
  const { fresh } = (await response.json()) as { fresh: boolean };
  const metrics = await scrape(url);
  return {
    fresh,
    cache: {
      hits: valueOf(metrics, 'rekey_credential_cache_hits_total'),
      misses: valueOf(metrics, 'rekey_credential_cache_misses_total'),
      invalidations: valueOf(metrics, 'rekey_credential_cache_invalidations_total'),
      entries: valueOf(metrics, 'rekey_credential_cache_entries'),
    },
  };
}
