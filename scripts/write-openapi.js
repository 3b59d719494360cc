// Writes the OpenAPI document the server serves at GET /openapi.json to a file, without listening:
// the console's API types are generated from it (`npm run api-types`). Needs `npm run build` first.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { createApp, createRuntime } from '../dist/main.js';

const target = resolve(process.argv[2] ?? '.tmp/openapi.json');
const dir = mkdtempSync(join(tmpdir(), 'rekey-openapi-'));
try {
  const config = loadConfig({
    REKEY_DATABASE_URL: join(dir, 'rekey.db'),
    REKEY_MASTER_KEY: randomBytes(32).toString('base64'),
    REKEY_LOG_LEVEL: 'silent',
  });
  const runtime = await createRuntime(config, { background: false });
  const app = await createApp(runtime);
  await app.ready();
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
  await runtime.close();
  console.log(`wrote ${target}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
