// `npm install` and `npx rekey` run `prepare`. Building takes ~20 s, so skip it when every build
// output is newer than every input; `npm run build` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const inputs = [
  'src',
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'packages/sdk/src',
  'tsconfig.json',
  'tsconfig.build.json',
  'packages/sdk/tsconfig.build.json',
  'package-lock.json',
];
const outputs = ['dist/cli/run-cli.js', 'dist/web/index.html', 'dist/docs/redoc.standalone.js', 'packages/sdk/dist/index.js'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const built = Math.min(...outputs.map((path) => (existsSync(join(root, path)) ? statSync(join(root, path)).mtimeMs : 0)));
const changed = Math.max(...inputs.map((path) => newest(join(root, path))));
if (built > 0 && built >= changed) {
  process.stderr.write('rekey: dist/ is current; not rebuilding (npm run build forces it).\n');
} else {
  process.stderr.write('rekey: building dist/ (about 20 s, once)…\n');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
