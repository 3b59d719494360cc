// The OpenAPI document the server serves at GET /openapi.json, built from the app without
// listening, on a throwaway database. Needs `npm run build` first.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { createApp, createRuntime } from '../dist/main.js';

export async function openApiDocument() {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-openapi-'));
  try {
    const config = loadConfig({
      REKEY_DATABASE_URL: join(dir, 'rekey.db'),
      REKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      REKEY_LOG_LEVEL: 'silent',
    });
    const runtime = await createRuntime(config, { background: false });
    const app = await createApp(runtime);
    try {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
      return response.json();
    } finally {
      await app.close();
      await runtime.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
