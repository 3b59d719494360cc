#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/run-cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('rekey: not built yet; run `npm install` (or `npm run build`) in the project first.\n');
  process.exit(1);
}
// --help and --version answer from the usage texts without loading the server.
const { helpOrVersion } = await import(new URL('../dist/cli/help-or-version.js', import.meta.url).href);
const early = helpOrVersion(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
const { runCli } = early === undefined ? await import(entry.href) : {};
const code = early ?? (await runCli(process.argv.slice(2)));
if (code >= 0) process.exitCode = code;
