import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../src/main.js';
import { ROTATION_LEASE_MS, runScheduledRotations } from '../src/core/rotation/index.js';
import { freePort, send, startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, startRunningApp, whoami } from './support/key-accounts.js';
import { STORE_KINDS } from './support/stores.js';
import { preparePortalMembers, register } from './support/portal.js';
import { runCli } from './support/cli.js';

const DAY = 86_400_000;
const BIN = fileURLToPath(new URL('../bin/rekey.js', import.meta.url));

/** An app holding the key account's secret in slot KEY, deployed. */
async function holdingApp(rekey: Rekey, key: { id: string; secret: string }, name: string): Promise<{ appId: string; appToken: string }> {
  const created = await rekey.request('POST', '/v1/apps', { body: { name, config: { apiKeyId: key.id } } });
  expect(created.status).toBe(201);
  const put = await rekey.request('PUT', `/v1/apps/${created.json.id}/secrets/KEY`, { body: { keyAccountId: key.id, value: key.secret } });
  expect(put.status).toBe(200);
  expect((await rekey.request('POST', `/v1/apps/${created.json.id}/deploy`, { body: {} })).status).toBe(200);
  return { appId: created.json.id, appToken: created.json.appToken };
}

/**
 * Scheduled rotation (SPEC §12) with a clock the test moves: auto rotation of a key account used
 * by two apps, a failing slot write, notify policies, and two nodes racing one due date.
 */
describe.each(STORE_KINDS)('scheduled rotation (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    // No background scheduler: each pass below is the test's own.
    rekey = await startRekey(kind, { background: false });
  });
  afterAll(async () => {
    await rekey.close();
  });

  const pass = () => runScheduledRotations(rekey.runtime.core);
  const client = async (id: string) => (await rekey.request('GET', `/v1/clients/${id}`)).json;
  const runs = async (id: string) => (await rekey.request('GET', `/v1/clients/${id}/rotations`)).json.items;
  const outboxTypes = async () => ((await rekey.request('GET', '/v1/outbox')).json.items as Array<{ type: string }>).map((m) => m.type);
  const setPolicy = (id: string, body: unknown, token?: string) =>
    rekey.request('PUT', `/v1/clients/${id}/rotation-policy`, { body, ...(token ? { token } : {}) });

  const appHolding = (key: { id: string; secret: string }, name: string) => holdingApp(rekey, key, name);

  const slotValue = async (app: { appToken: string }): Promise<string> =>
    (await send(rekey.url, 'GET', '/v1/app/credentials', { token: app.appToken })).json.secrets[0].value;

  it('validates policies: bad input is a problem document and changes nothing', async () => {
    const key = await createKeyAccount(rekey, {}, 'validated');
    const before = await client(key.id);
    expect(before.rotationPolicy).toBeNull();
    for (const body of [
      {},
      { everyDays: 0, mode: 'auto' },
      { everyDays: 30, mode: 'sometimes' },
      { everyDays: '30', mode: 'auto' },
      { everyDays: 30, mode: 'auto', warnDays: 30 },
      { everyDays: 30, mode: 'auto', graceSeconds: 8 * 86_400 },
      { everyDays: 30, mode: 'auto', extra: true },
    ]) {
      const refused = await setPolicy(key.id, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    const oauth = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'machine' } });
    expect((await setPolicy(oauth.json.id, { everyDays: 30, mode: 'auto' })).json.errors[0].pointer).toBe('/mode');
    expect((await setPolicy(oauth.json.id, { everyDays: 30, mode: 'notify' })).status).toBe(200);
    expect((await setPolicy('cli_doesNotExist000000000', { everyDays: 30, mode: 'auto' })).status).toBe(404);
    const foreign = await send(
      rekey.url,
      'PUT',
      `/v1/clients/${key.id}/rotation-policy`,
      { body: { everyDays: 30, mode: 'auto' } },
      rekey.other.token,
    );
    expect(foreign.status).toBe(404);
    expect((await client(key.id)).updatedAt).toBe(before.updatedAt);

    const set = await setPolicy(key.id, { everyDays: 30, mode: 'auto' });
    expect(set.status).toBe(200);
    expect(set.json.rotationPolicy).toEqual({ everyDays: 30, warnDays: 7, graceSeconds: 86_400, mode: 'auto' });
    expect(Date.parse(set.json.rotationDueAt) - Date.parse(set.json.versions[0].createdAt)).toBe(30 * DAY);
    expect(set.json.rotationDue).toBe(false);
    const removed = await rekey.request('DELETE', `/v1/clients/${key.id}/rotation-policy`);
    expect(removed.status).toBe(200);
    expect(removed.json.rotationPolicy).toBeNull();
    expect(removed.json.rotationDueAt).toBeUndefined();
  });

  it('the portal key account refuses a policy', async () => {
    await preparePortalMembers(rekey);
    const registered = await register(rekey);
    expect(registered.status, registered.text).toBe(200);
    const portalKey: string = registered.json.clientId;
    const refused = await setPolicy(portalKey, { everyDays: 30, mode: 'notify' });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('registration_only');
    expect((await client(portalKey)).rotationPolicy).toBeNull();
  });

  it('auto: a key account used by two apps rotates on its due date, both apps redeployed on the new secret, no undeploy window', async () => {
    const key = await createKeyAccount(rekey, { lockScope: 'keyAccount' }, 'scheduled');
    const first = await appHolding(key, 'billing');
    const second = await appHolding(key, 'reports');
    expect((await setPolicy(key.id, { everyDays: 30, warnDays: 3, graceSeconds: 3600, mode: 'auto' })).status).toBe(200);

    await pass();
    expect(await runs(key.id)).toEqual([]);
    rekey.clock.advance(27 * DAY + 3_600_000);
    await pass();
    await pass();
    const warned = await runs(key.id);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ kind: 'warn', status: 'notified', mode: 'auto' });
    expect(await outboxTypes()).toContain('rotation.upcoming');

    const running = startRunningApp(rekey.url, { appId: first.appId, appToken: first.appToken, keyAccountId: key.id, slot: 'KEY' });
    try {
      await running.waitFor((answers) => answers.filter((answer) => answer.code === 'ok').length >= 3);
      rekey.clock.advance(3 * DAY);
      await pass();
      const start = running.answers.length;
      await running.waitFor((answers) => answers.length >= start + 5);
      expect(running.answers.filter((answer) => answer.code !== 'ok')).toEqual([]);
    } finally {
      await running.stop();
    }

    const rotated = (await runs(key.id)).find((run: { kind: string }) => run.kind === 'rotate');
    expect(rotated).toMatchObject({ status: 'succeeded', attempts: 1, mode: 'auto' });
    expect(rotated.apps).toEqual([
      { appId: first.appId, slots: ['KEY'], status: 'updated', redeployed: true },
      { appId: second.appId, slots: ['KEY'], status: 'updated', redeployed: true },
    ]);
    const view = await client(key.id);
    expect(view.versions[0]).toMatchObject({ versionId: rotated.versionId, state: 'current' });
    expect(view.versions[1]).toMatchObject({ versionId: key.versionId, state: 'previous' });
    expect(view.rotationDue).toBe(false);
    expect(Date.parse(view.rotationDueAt) - Date.parse(view.versions[0].createdAt)).toBe(30 * DAY);
    for (const app of [first, second]) {
      const value = await slotValue(app);
      expect(value).not.toBe(key.secret);
      expect((await whoami(rekey.url, key.id, value)).status).toBe(200);
      expect((await rekey.request('GET', `/v1/apps/${app.appId}`)).json.state).toBe('deployed');
    }
    const audit = (await rekey.request('GET', `/v1/audit?clientId=${key.id}&limit=200`)).json.items as Array<{
      type: string;
      data: { redeployed?: boolean };
    }>;
    expect(audit.filter((event) => event.type === 'app.undeployed')).toEqual([]);
    expect(audit.filter((event) => event.type === 'app.deployed' && event.data.redeployed)).toHaveLength(2);
    expect(audit.map((event) => event.type)).toContain('rotation.completed');
    expect(await outboxTypes()).toContain('rotation.completed');
    // Run again the same day: nothing more happens.
    await pass();
    expect((await client(key.id)).versions.filter((version: { state: string }) => version.state === 'current')).toHaveLength(1);
    expect((await runs(key.id)).filter((run: { kind: string }) => run.kind === 'rotate')).toHaveLength(1);
    expect((await rekey.request('GET', '/v1/audit/verify')).json.valid).toBe(true);
  });

  it('auto: a slot write that fails restores the slots already changed, alerts, and retries the next day with the same secret', async () => {
    const key = await createKeyAccount(rekey, { lockScope: 'keyAccount' }, 'failing');
    const first = await appHolding(key, 'first');
    const second = await appHolding(key, 'second');
    expect((await setPolicy(key.id, { everyDays: 10, warnDays: 0, graceSeconds: 3 * 86_400, mode: 'auto' })).status).toBe(200);
    // The store refuses writes of the second app's slots: a real failure, behind Rekey's back.
    const db = rekey.runtime.opened.db;
    if (kind === 'sqlite') {
      await db.run(
        `CREATE TRIGGER fail_slot_insert BEFORE INSERT ON app_secrets WHEN NEW.app_id = '${second.appId}' BEGIN SELECT RAISE(ABORT, 'slot storage failed'); END`,
      );
      await db.run(
        `CREATE TRIGGER fail_slot_update BEFORE UPDATE ON app_secrets WHEN NEW.app_id = '${second.appId}' BEGIN SELECT RAISE(ABORT, 'slot storage failed'); END`,
      );
    } else {
      await db.run(
        `CREATE FUNCTION fail_slot() RETURNS trigger AS $$ BEGIN IF NEW.app_id = '${second.appId}' THEN RAISE EXCEPTION 'slot storage failed'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await db.run('CREATE TRIGGER fail_slot BEFORE INSERT OR UPDATE ON app_secrets FOR EACH ROW EXECUTE FUNCTION fail_slot()');
    }
    rekey.clock.advance(10 * DAY + 60_000);
    await pass();

    const [failed] = await runs(key.id);
    expect(failed).toMatchObject({ kind: 'rotate', status: 'failed', attempts: 1 });
    expect(Date.parse(failed.nextAttemptAt) - Date.parse(failed.finishedAt)).toBe(DAY);
    expect(failed.apps).toEqual([
      { appId: first.appId, slots: ['KEY'], status: 'restored', redeployed: true },
      { appId: second.appId, slots: [], status: 'failed', redeployed: false },
    ]);
    expect(failed.error).toBeTruthy();
    // Both apps hold the previous secret again, deployed, and it still works (grace).
    for (const app of [first, second]) {
      expect(await slotValue(app)).toBe(key.secret);
      expect((await rekey.request('GET', `/v1/apps/${app.appId}`)).json.state).toBe('deployed');
    }
    expect((await whoami(rekey.url, key.id, key.secret)).status).toBe(200);
    expect(await outboxTypes()).toContain('rotation.failed');
    const audit = (await rekey.request('GET', `/v1/audit?clientId=${key.id}&limit=200`)).json.items as Array<{ type: string }>;
    expect(audit.map((event) => event.type)).toContain('rotation.failed');

    // Same day: no retry. The next day, with the store fixed: the same new secret reaches both apps.
    await pass();
    expect((await runs(key.id))[0].attempts).toBe(1);
    if (kind === 'sqlite') {
      await db.run('DROP TRIGGER fail_slot_insert');
      await db.run('DROP TRIGGER fail_slot_update');
    } else {
      await db.run('DROP TRIGGER fail_slot ON app_secrets');
      await db.run('DROP FUNCTION fail_slot()');
    }
    rekey.clock.advance(DAY + 60_000);
    await pass();
    const [retried] = await runs(key.id);
    expect(retried).toMatchObject({ id: failed.id, status: 'succeeded', attempts: 2, versionId: failed.versionId });
    const view = await client(key.id);
    expect(
      view.versions.filter((version: { state: string }) => version.state !== 'retired').map((v: { versionId: string }) => v.versionId),
    ).toEqual([failed.versionId, key.versionId]);
    for (const app of [first, second]) {
      const value = await slotValue(app);
      expect(value).not.toBe(key.secret);
      expect((await whoami(rekey.url, key.id, value)).status).toBe(200);
    }
  });

  it('auto: an app that names the key account but holds no slot fails the run before anything changes', async () => {
    const key = await createKeyAccount(rekey, {}, 'slotless');
    await rekey.request('POST', '/v1/apps', { body: { name: 'no-slot', config: { apiKeyId: key.id } } });
    expect((await setPolicy(key.id, { everyDays: 1, warnDays: 0, mode: 'auto' })).status).toBe(200);
    rekey.clock.advance(DAY + 60_000);
    await pass();
    const [run] = await runs(key.id);
    expect(run).toMatchObject({ status: 'failed', attempts: 1 });
    expect(run.versionId).toBeUndefined();
    expect(run.error).toMatch(/no secret slot/);
    expect((await client(key.id)).versions).toHaveLength(1);
  });

  it('notify: warns warnDays before, then marks the client rotationDue once; a regenerate clears it', async () => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'integrator', name: 'partner' } });
    const id: string = created.json.id;
    expect((await setPolicy(id, { everyDays: 14, warnDays: 2, mode: 'notify' })).status).toBe(200);
    rekey.clock.advance(12 * DAY + 60_000);
    await pass();
    expect((await client(id)).rotationDue).toBe(false);
    rekey.clock.advance(2 * DAY);
    await pass();
    await pass();
    const view = await client(id);
    expect(view.rotationDue).toBe(true);
    expect(view.versions).toHaveLength(1);
    const kinds = (await runs(id)).map((run: { kind: string; status: string }) => `${run.kind}:${run.status}`);
    expect(kinds).toEqual(['due:notified', 'warn:notified']);
    expect(await outboxTypes()).toEqual(expect.arrayContaining(['rotation.upcoming', 'rotation.due']));
    expect((await rekey.request('POST', `/v1/clients/${id}/regenerate`, { body: { graceSeconds: 0 } })).status).toBe(200);
    expect((await client(id)).rotationDue).toBe(false);
  });

  it('two nodes racing the same due date produce exactly one rotation', async () => {
    const key = await createKeyAccount(rekey, { lockScope: 'keyAccount' }, 'raced');
    const app = await appHolding(key, 'raced-app');
    expect((await setPolicy(key.id, { everyDays: 5, warnDays: 0, graceSeconds: 600, mode: 'auto' })).status).toBe(200);
    const nodes: Runtime[] = [];
    try {
      // Several nodes share PostgreSQL; SQLite serves one node, where passes can still overlap.
      if (kind === 'postgres') {
        for (let i = 0; i < 2; i++) nodes.push(await createRuntime(rekey.config, { clock: rekey.clock, background: false }));
      }
      rekey.clock.advance(5 * DAY + 60_000);
      await Promise.all([pass(), ...nodes.map((node) => runScheduledRotations(node.core)), pass(), pass()]);
    } finally {
      for (const node of nodes) await node.close();
    }
    const rotations = (await runs(key.id)).filter((run: { kind: string }) => run.kind === 'rotate');
    expect(rotations).toHaveLength(1);
    expect(rotations[0].status).toBe('succeeded');
    const view = await client(key.id);
    expect(view.versions.filter((version: { state: string }) => version.state === 'current')).toHaveLength(1);
    expect(view.versions).toHaveLength(2);
    expect((await whoami(rekey.url, key.id, await slotValue(app))).status).toBe(200);
  });

  it('a policy can come with the client, and the CLI sets, clears and lists it', async () => {
    const born = await rekey.request('POST', '/v1/clients', {
      body: { profile: 'apikey', name: 'born scheduled', rotationPolicy: { everyDays: 90, mode: 'auto' } },
    });
    expect(born.status).toBe(201);
    expect(born.json.rotationPolicy).toEqual({ everyDays: 90, warnDays: 7, graceSeconds: 86_400, mode: 'auto' });
    const clientsBefore = (await rekey.request('GET', '/v1/clients?limit=200')).json.items.length;
    const refused = await rekey.request('POST', '/v1/clients', {
      body: { profile: 'oauth', name: 'not auto', rotationPolicy: { everyDays: 90, mode: 'auto' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].pointer).toBe('/rotationPolicy/mode');
    expect((await rekey.request('GET', '/v1/clients?limit=200')).json.items.length).toBe(clientsBefore);

    const env = { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token };
    const set = await runCli(
      ['clients', 'rotation-policy', born.json.id, '--every-days', '30', '--mode', 'notify', '--warn-days', '5', '--json'],
      env,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      clientId: born.json.id,
      rotationPolicy: { everyDays: 30, warnDays: 5, mode: 'notify' },
      rotationDue: false,
    });
    expect((await runCli(['clients', 'rotation-policy', born.json.id, '--every-days', '30'], env)).code).toBe(2);
    expect((await runCli(['clients', 'rotation-policy', born.json.id, '--every-days', '-3', '--mode', 'auto'], env)).code).toBe(2);
    const tooLong = await runCli(
      ['clients', 'rotation-policy', born.json.id, '--every-days', '30', '--mode', 'auto', '--grace-seconds', '999999999'],
      env,
    );
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/--grace-seconds: Must be an integer from 0 to 604800/);
    expect((await client(born.json.id)).rotationPolicy).toMatchObject({ everyDays: 30, mode: 'notify' });
    const listed = await runCli(['clients', 'rotations', born.json.id, '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ items: [] });
    expect((await runCli(['clients', 'rotations', 'cli_unknown0000000000000000'], env)).code).toBe(3);
    const cleared = await runCli(['clients', 'rotation-policy', born.json.id, '--clear', '--json'], env);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(JSON.parse(cleared.stdout)).toEqual({ clientId: born.json.id, rotationPolicy: null });
  });

  it('GET /v1/clients/{id}/rotations: unknown and foreign ids are 404, bad cursors 400, and it needs credentials.read', async () => {
    const key = await createKeyAccount(rekey, {}, 'listed');
    expect((await rekey.request('GET', '/v1/clients/cli_unknown0000000000000000/rotations')).status).toBe(404);
    expect((await send(rekey.url, 'GET', `/v1/clients/${key.id}/rotations`, {}, rekey.other.token)).status).toBe(404);
    expect((await rekey.request('GET', `/v1/clients/${key.id}/rotations?cursor=nonsense`)).status).toBe(400);
    expect((await rekey.request('GET', `/v1/clients/${key.id}/rotations?limit=0`)).status).toBe(400);
    expect((await rekey.request('GET', `/v1/clients/${key.id}/rotations`)).json).toEqual({ items: [] });
  });
});

/** A node killed by a fault point mid-run; the child runs on the real clock, so this file's clock starts at it too. */
describe.each(STORE_KINDS)('scheduled rotation after a crash (%s)', (kind) => {
  let rekey: Rekey;
  // A fresh instance per test: its clock must start at the child's real one.
  beforeEach(async () => {
    rekey = await startRekey(kind, { background: false });
  });
  afterEach(async () => {
    await rekey.close();
  });

  const pass = () => runScheduledRotations(rekey.runtime.core);
  const client = async (id: string) => (await rekey.request('GET', `/v1/clients/${id}`)).json;
  const runs = async (id: string) => (await rekey.request('GET', `/v1/clients/${id}/rotations`)).json.items;
  const setPolicy = (id: string, body: unknown) => rekey.request('PUT', `/v1/clients/${id}/rotation-policy`, { body });
  const appHolding = (key: { id: string; secret: string }, name: string) => holdingApp(rekey, key, name);
  const slotValue = async (app: { appToken: string }): Promise<string> =>
    (await send(rekey.url, 'GET', '/v1/app/credentials', { token: app.appToken })).json.secrets[0].value;

  for (const point of ['scheduled-rotation-after-regenerate', 'scheduled-rotation-after-app'] as const) {
    it(`a node killed mid-run (${point}) is resumed by another to a consistent end: one new secret, in every app`, async () => {
      const key = await createKeyAccount(rekey, { lockScope: 'keyAccount' }, `crash ${point}`);
      const apps = [await appHolding(key, 'crash-a'), await appHolding(key, 'crash-b')];
      expect((await setPolicy(key.id, { everyDays: 30, warnDays: 0, graceSeconds: 3600, mode: 'auto' })).status).toBe(200);
      // The child node runs on the real clock: make the secret 31 days old behind Rekey's back.
      await rekey.runtime.opened.db.run('UPDATE secret_versions SET created_at = created_at - ? WHERE client_id = ?', [31 * DAY, key.id]);
      const child = spawn(process.execPath, [BIN, 'serve'], {
        env: { ...process.env, ...rekey.env, REKEY_PORT: String(await freePort()), REKEY_LOG_LEVEL: 'warn', REKEY_FAULT: point },
        stdio: 'ignore',
      });
      const signal = await new Promise<string | null>((resolve) => child.once('exit', (_code, killedBy) => resolve(killedBy)));
      expect(signal).toBe('SIGKILL');
      const [interrupted] = await runs(key.id);
      expect(interrupted).toMatchObject({ kind: 'rotate', status: 'running', attempts: 1 });

      // Before the lease runs out nobody takes the run over; after it, this node resumes it.
      await pass();
      expect((await runs(key.id))[0].status).toBe('running');
      rekey.clock.advance(ROTATION_LEASE_MS + 60_000);
      await pass();
      const [resumed] = await runs(key.id);
      expect(resumed).toMatchObject({ id: interrupted.id, status: 'succeeded', attempts: 1 });
      const view = await client(key.id);
      expect(view.versions).toHaveLength(2);
      expect(view.versions[0]).toMatchObject({ versionId: resumed.versionId, state: 'current' });
      for (const app of apps) {
        const value = await slotValue(app);
        expect(value).not.toBe(key.secret);
        expect((await whoami(rekey.url, key.id, value)).status).toBe(200);
        expect((await rekey.request('GET', `/v1/apps/${app.appId}`)).json.state).toBe('deployed');
      }
      expect((await rekey.request('GET', '/v1/audit/verify')).json.valid).toBe(true);
    });
  }
});
