import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Framework = 'express' | 'fastify' | 'hono';

export interface RunningExample {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts packages/sdk/examples/<framework>.js as its own process and waits for its "listening on" line. */
export async function runExample(framework: Framework, env: Record<string, string>): Promise<RunningExample> {
  const file = fileURLToPath(new URL(`../../examples/${framework}.js`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [file], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${framework} example did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${framework} example exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
