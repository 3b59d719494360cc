#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/run-cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('rekey: not built yet; run `npm install` (or `npm run build`) in the project first.\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
