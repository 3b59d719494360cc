import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultPoint } from '../src/core/kernel/core-deps.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, limitedToken, secretsIn, startRunningApp, whoami, type Answer } from './support/key-accounts.js';
import { startSecondNode } from './support/second-node.js';
import { STORE_KINDS } from './support/stores.js';

interface DeployedApp {
  appId: string;
  appToken: string;
}

describe.each(STORE_KINDS)('apps and guided rotation (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  /** An app holding the key account's secret in slot KEY, deployed unless told otherwise. */
  async function appFor(key: { id: string; secret: string }, options: { name?: string; deploy?: boolean } = {}): Promise<DeployedApp> {
    const created = await rekey.request('POST', '/v1/apps', { body: { name: options.name ?? 'worker', config: { apiKeyId: key.id } } });
    expect(created.status).toBe(201);
    const put = await rekey.request('PUT', `/v1/apps/${created.json.id}/secrets/KEY`, {
      body: { keyAccountId: key.id, value: key.secret },
    });
    expect(put.status).toBe(200);
    if (options.deploy !== false)
      expect((await rekey.request('POST', `/v1/apps/${created.json.id}/deploy`, { body: {} })).status).toBe(200);
    return { appId: created.json.id, appToken: created.json.appToken };
  }

  const rotate = (keyId: string, body: unknown = {}, idempotencyKey?: string, url = rekey.url) =>
    send(
      url,
      'POST',
      `/v1/clients/${keyId}/rotate-with-apps`,
      { body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} },
      rekey.main.token,
    );

  const appState = async (appId: string) => (await rekey.request('GET', `/v1/apps/${appId}`)).json;

  /** The invariant of SPEC §5: every app is undeployed, or deployed with a secret that works. */
  async function assertNoDeployedAppWithDeadSecret(keyId: string, apps: DeployedApp[]): Promise<void> {
    for (const app of apps) {
      const view = await appState(app.appId);
      if (view.state !== 'deployed') continue;
      const fetched = await send(rekey.url, 'GET', '/v1/app/credentials', { token: app.appToken });
      expect(fetched.status).toBe(200);
      for (const slot of fetched.json.secrets) expect((await whoami(rekey.url, keyId, slot.value)).status).toBe(200);
    }
  }

  const failuresAfter = (answers: Answer[], start: number): Answer[] => answers.slice(start).filter((answer) => answer.code !== 'ok');

  it('seed 002: with staleSecretsCount a plain zero-grace regenerate locks the key account within maxFailedAttempts tries', async () => {
    const key = await createKeyAccount(
      rekey,
      { lockScope: 'keyAccount', staleSecretsCount: true, throttleFailuresPerMinute: 100_000 },
      'seed-key',
    );
    const app = await appFor(key);
    const running = startRunningApp(rekey.url, { appId: app.appId, appToken: app.appToken, keyAccountId: key.id, slot: 'KEY' });
    try {
      await running.waitFor((answers) => answers.filter((answer) => answer.code === 'ok').length >= 5);
      const start = running.answers.length;
      const regenerated = await rekey.request('POST', `/v1/clients/${key.id}/regenerate`, { body: { graceSeconds: 0 } });
      expect(regenerated.status).toBe(200);
      expect(regenerated.json.affectedApps).toEqual([{ appId: app.appId, name: 'worker' }]);
      await running.waitFor((answers) => answers.slice(start).some((answer) => answer.code === 'locked'));
      const failures = failuresAfter(running.answers, start);
      const firstLocked = failures.findIndex((answer) => answer.code === 'locked');
      expect(firstLocked).toBeLessThanOrEqual(4);
      expect(failures.slice(0, firstLocked).every((answer) => answer.code === 'stale_secret')).toBe(true);
    } finally {
      await running.stop();
    }
    expect((await rekey.request('GET', `/v1/clients/${key.id}`)).json).toMatchObject({ locked: true, failedAttempts: 5 });
  });

  it("default policy: the running app's failures are stale_secret, the key account stays unlocked, stale-usage names the app", async () => {
    const key = await createKeyAccount(rekey, { throttleFailuresPerMinute: 100_000 }, 'default-key');
    const app = await appFor(key);
    const running = startRunningApp(rekey.url, { appId: app.appId, appToken: app.appToken, keyAccountId: key.id, slot: 'KEY' });
    let start = 0;
    try {
      await running.waitFor((answers) => answers.filter((answer) => answer.code === 'ok').length >= 3);
      start = running.answers.length;
      expect((await rekey.request('POST', `/v1/clients/${key.id}/regenerate`, { body: {} })).status).toBe(200);
      await running.waitFor((answers) => failuresAfter(answers, start).length >= 20);
    } finally {
      await running.stop();
    }
    const failures = failuresAfter(running.answers, start);
    expect(new Set(failures.map((answer) => answer.code))).toEqual(new Set(['stale_secret']));
    expect((await rekey.request('GET', `/v1/clients/${key.id}`)).json).toMatchObject({ locked: false, failedAttempts: 0 });
    const usage = await rekey.request('GET', `/v1/clients/${key.id}/stale-usage`);
    expect(usage.json.items).toHaveLength(1);
    expect(usage.json.items[0]).toEqual({
      versionId: key.versionId,
      appId: app.appId,
      userAgent: 'sim-app/1.0',
      address: '127.0.0.1',
      count: failures.length,
      lastSeenAt: expect.any(String),
    });
    // The console can also tell from the app itself that its slot is stale.
    expect((await appState(app.appId)).secrets[0].versionState).toBe('retired');
  });

  it('guided rotation: the running app ends on the new secret with zero locked answers', async () => {
    const key = await createKeyAccount(
      rekey,
      { lockScope: 'keyAccount', staleSecretsCount: true, throttleFailuresPerMinute: 100_000 },
      'guided-key',
    );
    const app = await appFor(key);
    const idle = await appFor(key, { name: 'idle', deploy: false });
    const running = startRunningApp(rekey.url, { appId: app.appId, appToken: app.appToken, keyAccountId: key.id, slot: 'KEY' });
    let versionId = '';
    try {
      await running.waitFor((answers) => answers.filter((answer) => answer.code === 'ok').length >= 5);
      const rotated = await rotate(key.id, {}, 'guided-1');
      expect(rotated.status).toBe(200);
      versionId = rotated.json.versionId;
      expect(versionId).toMatch(/^ver_/);
      expect(secretsIn(rotated.text)).toEqual([]);
      expect(rotated.json.steps).toEqual([
        { appId: app.appId, step: 'undeploy', status: 'done' },
        { appId: idle.appId, step: 'undeploy', status: 'skipped' },
        { appId: app.appId, step: 'write_secret', status: 'done' },
        { appId: idle.appId, step: 'write_secret', status: 'done' },
        { appId: app.appId, step: 'deploy', status: 'done' },
        { appId: idle.appId, step: 'deploy', status: 'skipped' },
      ]);
      await running.waitFor(
        (answers) =>
          answers.slice(-5).length === 5 && answers.slice(-5).every((answer) => answer.code === 'ok' && answer.versionId === versionId),
      );
    } finally {
      await running.stop();
    }
    expect(running.answers.filter((answer) => answer.code === 'locked')).toEqual([]);
    expect((await rekey.request('GET', `/v1/clients/${key.id}`)).json.locked).toBe(false);
    expect(await appState(idle.appId)).toMatchObject({ state: 'undeployed', secrets: [{ versionId, versionState: 'current' }] });

    // Audited per step, in order (events of one millisecond have no order among themselves, so compare times).
    const audit = await rekey.request('GET', `/v1/audit?clientId=${key.id}&limit=50`);
    const events: Array<{ type: string; at: string; data: { rotationId?: string } }> = audit.json.items;
    const undeployed = events.find((event) => event.type === 'app.undeployed')!;
    const rotationId = undeployed.data.rotationId;
    expect(rotationId).toMatch(/^req_/);
    const ofRotation = events.filter(
      (event) => event.data.rotationId === rotationId || (event.type === 'secret.regenerated' && event.at >= undeployed.at),
    );
    expect(ofRotation.map((event) => event.type).sort()).toEqual([
      'app.deployed',
      'app.secret_updated',
      'app.secret_updated',
      'app.undeployed',
      'secret.regenerated',
    ]);
    const at = (type: string) => ofRotation.filter((event) => event.type === type).map((event) => Date.parse(event.at));
    expect(Math.max(...at('app.undeployed'))).toBeLessThanOrEqual(Math.min(...at('secret.regenerated')));
    expect(Math.max(...at('secret.regenerated'))).toBeLessThanOrEqual(Math.min(...at('app.secret_updated')));
    expect(Math.max(...at('app.secret_updated'))).toBeLessThanOrEqual(Math.min(...at('app.deployed')));

    // A retry with the same key replays the answer instead of rotating again.
    const replay = await rotate(key.id, {}, 'guided-1');
    expect(replay.json).toEqual({ versionId, steps: expect.any(Array) });
    const versions = (await rekey.request('GET', `/v1/clients/${key.id}`)).json.versions;
    expect(versions.filter((version: { state: string }) => version.state === 'current')).toEqual([expect.objectContaining({ versionId })]);
    expect(versions).toHaveLength(2);
    expect((await rotate(key.id, { graceSeconds: 60 }, 'guided-1')).json).toMatchObject({ status: 409, code: 'conflict' });
  });

  for (const point of ['rotate-after-regenerate', 'rotate-before-deploy'] as FaultPoint[]) {
    it(`a fault at ${point} leaves no app deployed with a dead secret, and a retry with the same key completes`, async () => {
      const key = await createKeyAccount(rekey, { throttleFailuresPerMinute: 100_000 }, `fault-${point}`);
      const apps = [await appFor(key, { name: 'a' }), await appFor(key, { name: 'b' })];
      const core = rekey.runtime.core;
      const original = core.fault;
      core.fault = (at) => {
        if (at === point) throw new Error(`injected fault at ${at}`);
        original(at);
      };
      let failed;
      try {
        failed = await rotate(key.id, {}, `fault-${point}`);
      } finally {
        core.fault = original;
      }
      expect(failed.status).toBe(500);
      expect(failed.json.code).toBe('internal');
      expect(failed.json.versionId).toMatch(/^ver_/);
      expect(failed.json.steps.slice(0, 2)).toEqual(apps.map((app) => ({ appId: app.appId, step: 'undeploy', status: 'done' })));
      expect(secretsIn(failed.text)).toEqual([]);
      for (const app of apps) expect((await appState(app.appId)).state).toBe('undeployed');
      await assertNoDeployedAppWithDeadSecret(key.id, apps);

      const retried = await rotate(key.id, {}, `fault-${point}`);
      expect(retried.status).toBe(200);
      expect(retried.json.versionId).toBe(failed.json.versionId);
      for (const app of apps)
        expect(await appState(app.appId)).toMatchObject({
          state: 'deployed',
          secrets: [{ versionId: retried.json.versionId, versionState: 'current' }],
        });
      await assertNoDeployedAppWithDeadSecret(key.id, apps);
      // One rotation, not two.
      expect((await rekey.request('GET', `/v1/clients/${key.id}`)).json.versions).toHaveLength(2);
    });
  }

  it('a crash (process killed) between regenerate and deploy: the retry on another node completes it', async () => {
    const key = await createKeyAccount(rekey, { throttleFailuresPerMinute: 100_000 }, 'crash-key');
    const apps = [await appFor(key, { name: 'crash-a' }), await appFor(key, { name: 'crash-b', deploy: false })];
    const doomed = await startSecondNode(rekey, { REKEY_FAULT: 'rotate-before-deploy' });
    try {
      await expect(rotate(key.id, {}, 'crash-1', doomed.url)).rejects.toThrow();
      expect(await doomed.exited).toBe('SIGKILL');
    } finally {
      await doomed.stop();
    }
    await assertNoDeployedAppWithDeadSecret(key.id, apps);
    expect((await appState(apps[0]!.appId)).state).toBe('undeployed');
    const committed = (await rekey.request('GET', `/v1/clients/${key.id}`)).json.versions.find(
      (version: { state: string }) => version.state === 'current',
    );

    const retried = await rotate(key.id, {}, 'crash-1');
    expect(retried.status).toBe(200);
    expect(retried.json.versionId).toBe(committed.versionId);
    expect((await appState(apps[0]!.appId)).state).toBe('deployed');
    expect((await appState(apps[1]!.appId)).state).toBe('undeployed');
    await assertNoDeployedAppWithDeadSecret(key.id, apps);
    const fetched = await send(rekey.url, 'GET', '/v1/app/credentials', { token: apps[0]!.appToken });
    expect((await whoami(rekey.url, key.id, fetched.json.secrets[0].value)).json.versionId).toBe(committed.versionId);
  });

  it('refuses before changing anything: an app without a slot, other profiles, bad input, credentials, permissions, other accounts', async () => {
    const key = await createKeyAccount(rekey, {}, 'refusals');
    const app = await appFor(key, { name: 'has-slot' });
    const slotless = await rekey.request('POST', '/v1/apps', { body: { name: 'config-only', config: { apiKeyId: key.id } } });
    const refused = await rotate(key.id);
    expect(refused.json).toMatchObject({ status: 409, code: 'conflict', appIds: [slotless.json.id] });
    expect((await appState(app.appId)).state).toBe('deployed');
    expect((await rekey.request('GET', `/v1/clients/${key.id}`)).json.versions).toHaveLength(1);
    await rekey.request('DELETE', `/v1/apps/${slotless.json.id}`);

    const oauth = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'o' } });
    expect((await rotate(oauth.json.id)).json).toMatchObject({ status: 409, code: 'conflict' });
    for (const body of [{ graceSeconds: -1 }, { graceSeconds: 'x' }, { graceSeconds: 1.5 }, { graceSeconds: 604_801 }, { now: true }]) {
      const response = await rotate(key.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.errors[0].pointer).toMatch(/^\/(graceSeconds|now)$/);
    }
    expect(
      (
        await send(
          rekey.url,
          'POST',
          `/v1/clients/${key.id}/rotate-with-apps`,
          { body: {}, headers: { 'idempotency-key': 'has space' } },
          rekey.main.token,
        )
      ).status,
    ).toBe(400);
    expect((await send(rekey.url, 'POST', `/v1/clients/${key.id}/rotate-with-apps`, { body: {} })).status).toBe(401);
    expect((await send(rekey.url, 'POST', `/v1/clients/${key.id}/rotate-with-apps`, { body: {} }, 'rk_adm_' + 'B'.repeat(49))).status).toBe(
      401,
    );
    const noApps = await limitedToken(rekey, ['credentials.manage', 'credentials.read']);
    expect((await send(rekey.url, 'POST', `/v1/clients/${key.id}/rotate-with-apps`, { body: {} }, noApps)).json).toMatchObject({
      status: 403,
      permission: 'apps.manage',
    });
    const noCredentials = await limitedToken(rekey, ['apps.manage']);
    expect((await send(rekey.url, 'POST', `/v1/clients/${key.id}/rotate-with-apps`, { body: {} }, noCredentials)).json).toMatchObject({
      status: 403,
      permission: 'credentials.manage',
    });
    const foreign = await send(rekey.url, 'POST', `/v1/clients/${key.id}/rotate-with-apps`, { body: {} }, rekey.other.token);
    expect(foreign.json).toMatchObject({ status: 404, code: 'not_found' });
    expect((await rotate('cli_unknown')).status).toBe(404);
    expect((await appState(app.appId)).state).toBe('deployed');
    expect((await rekey.request('GET', `/v1/clients/${key.id}`)).json.versions).toHaveLength(1);

    // Without apps the guided rotation is a plain regenerate that never reveals the secret.
    const lonely = await createKeyAccount(rekey, {}, 'lonely');
    const plain = await rotate(lonely.id);
    expect(plain.json).toEqual({ versionId: expect.stringMatching(/^ver_/), steps: [] });
  });
});
