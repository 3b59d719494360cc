import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, eventually, whoami } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';

const BIN = fileURLToPath(new URL('../bin/rekey.js', import.meta.url));

// Runs the built CLI (npm run build) against the test's database, as an operator would.
describe.each(STORE_KINDS)('rekey apps / clients unlock CLI (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token } },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
        },
      );
    });

  it('unlocks a key account and runs the app lifecycle with a guided rotation', async () => {
    const key = await createKeyAccount(rekey, { lockScope: 'keyAccount', maxFailedAttempts: 2, throttleFailuresPerMinute: 1000 });
    const wrong = (await createKeyAccount(rekey, {}, 'donor')).secret;
    await whoami(rekey.url, key.id, wrong);
    await whoami(rekey.url, key.id, wrong);
    expect((await whoami(rekey.url, key.id, key.secret)).json.code).toBe('locked');

    const unlocked = await cli('clients', 'unlock', key.id, '--json');
    expect(unlocked.code).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toMatchObject({ id: key.id, locked: false, failedAttempts: 0 });
    const works = await eventually(
      () => whoami(rekey.url, key.id, key.secret),
      (response) => response.status === 200,
      1500,
    );
    expect(works.status).toBe(200);
    expect((await cli('clients', 'unlock', 'cli_nope', '--json')).code).toBe(3);

    const created = await cli('apps', 'create', '--name', 'cli-app', '--api-key-id', key.id, '--json');
    expect(created.code).toBe(0);
    const app = JSON.parse(created.stdout);
    expect(app.appToken).toMatch(/^rk_app_/);
    const valueFile = join(rekey.db.dir, 'secret.txt');
    writeFileSync(valueFile, `${key.secret}\n`, { mode: 0o600 });
    const slot = await cli('apps', 'set-secret', app.id, 'KEY', '--key-account', key.id, '--value-file', valueFile, '--json');
    expect(slot.code).toBe(0);
    expect(slot.stdout).not.toContain(key.secret);
    expect((await cli('apps', 'deploy', app.id, '--json')).code).toBe(0);
    const listed = JSON.parse((await cli('apps', 'list', '--key-account', key.id, '--json')).stdout);
    expect(listed.items.map((item: { id: string }) => item.id)).toEqual([app.id]);

    const rotated = await cli('apps', 'rotate', key.id, '--idempotency-key', 'cli-rotation', '--yes', '--json');
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout);
    expect(result.steps.map((step: { step: string }) => step.step)).toEqual(['undeploy', 'write_secret', 'deploy']);
    expect(rotated.stdout).not.toMatch(/rk_sec_/);
    const view = JSON.parse((await cli('apps', 'get', app.id, '--json')).stdout);
    expect(view).toMatchObject({ state: 'deployed', secrets: [{ name: 'KEY', versionId: result.versionId, versionState: 'current' }] });

    expect((await cli('apps', 'get', 'app_unknown', '--json')).code).toBe(3);
    expect((await cli('apps', 'frobnicate')).code).toBe(2);
    expect((await cli('apps', 'set-secret', app.id, 'KEY', '--key-account', key.id)).code).toBe(2);
    expect((await cli('apps', 'delete', app.id, '--yes', '--json')).code).toBe(0);
  });
});
