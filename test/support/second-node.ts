import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, type Rekey } from './harness.js';
import { sleep } from './key-accounts.js';

const BIN = fileURLToPath(new URL('../../bin/rekey.js', import.meta.url));

export interface SecondNode {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Resolves with the exit signal or code once the process ends. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** Starts `rekey serve` (the built CLI) as another process on the same database: a second node. */
export async function startSecondNode(rekey: Rekey, env: Record<string, string> = {}): Promise<SecondNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, ...rekey.env, REKEY_PORT: String(port), REKEY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`second node exited: ${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok && ((await response.json()) as { fresh?: boolean }).fresh === true) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`second node did not start: ${output}`);
    await sleep(50);
  }
  return {
    url,
    process: child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
