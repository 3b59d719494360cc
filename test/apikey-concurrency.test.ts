import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { createKeyAccount, eventually, whoami } from './support/key-accounts.js';
import { startSecondNode, type SecondNode } from './support/second-node.js';
import { STORE_KINDS } from './support/stores.js';

// Needs the built CLI (npm run build): the second node is a separate `rekey serve` process.
describe.each(STORE_KINDS)('lockout under real concurrency: two server processes, one database (%s)', (kind) => {
  let rekey: Rekey;
  let second: SecondNode;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    second = await startSecondNode(rekey);
  }, 60_000);
  afterAll(async () => {
    await second?.stop();
    await rekey?.close();
  });

  it('wrong attempts raced from both nodes stop the counter at exactly the limit', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'keyAccount', throttleFailuresPerMinute: 10_000 });
    const wrong = (await createKeyAccount(rekey, {}, 'donor')).secret;
    expect((await whoami(second.url, account.id, account.secret)).status).toBe(200);
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);

    const attempts = [];
    for (let i = 0; i < 25; i++) {
      attempts.push(whoami(rekey.url, account.id, wrong));
      attempts.push(whoami(second.url, account.id, wrong));
    }
    const codes = (await Promise.all(attempts)).map((answer) => answer.json.code as string);
    expect(codes.filter((code) => code === 'bad_secret')).toHaveLength(4);
    expect(codes.filter((code) => code === 'locked')).toHaveLength(46);

    const view = (await rekey.request('GET', `/v1/clients/${account.id}`)).json;
    expect(view).toMatchObject({ locked: true, failedAttempts: 5 });
    const audit = await rekey.request('GET', `/v1/audit?type=client.locked&clientId=${account.id}`);
    expect(audit.json.items).toHaveLength(1);

    // The right secret is refused on both nodes.
    for (const url of [rekey.url, second.url]) {
      const answer = await eventually(
        () => whoami(url, account.id, account.secret),
        (response) => response.json?.code === 'locked',
        1500,
      );
      expect(answer.json.code).toBe('locked');
    }

    // Unlock on one node → works on both (the other sees the change within a second).
    expect((await rekey.request('POST', `/v1/clients/${account.id}/unlock`, { body: {} })).status).toBe(200);
    for (const url of [rekey.url, second.url]) {
      const answer = await eventually(
        () => whoami(url, account.id, account.secret),
        (response) => response.status === 200,
        1500,
      );
      expect(answer.status).toBe(200);
    }

    // Lock it again from the second node, regenerate on the first: unlocked, and only the new secret works anywhere.
    await Promise.all(Array.from({ length: 8 }, () => whoami(second.url, account.id, wrong)));
    expect((await rekey.request('GET', `/v1/clients/${account.id}`)).json).toMatchObject({ locked: true, failedAttempts: 5 });
    const regenerated = await rekey.request('POST', `/v1/clients/${account.id}/regenerate`, { body: {} });
    expect(regenerated.status).toBe(200);
    expect((await rekey.request('GET', `/v1/clients/${account.id}`)).json).toMatchObject({ locked: false, failedAttempts: 0 });
    for (const url of [rekey.url, second.url]) {
      const fresh = await eventually(
        () => whoami(url, account.id, regenerated.json.secret),
        (response) => response.status === 200,
        1500,
      );
      expect(fresh.status).toBe(200);
      expect((await whoami(url, account.id, account.secret)).json.code).toBe('stale_secret');
    }
  });

  it('per-address locks written by one node refuse on the other', async () => {
    const account = await createKeyAccount(rekey, { lockScope: 'source', maxFailedAttempts: 3, throttleFailuresPerMinute: 10_000 });
    const wrong = (await createKeyAccount(rekey, {}, 'donor')).secret;
    expect((await whoami(rekey.url, account.id, account.secret)).status).toBe(200);
    await Promise.all(Array.from({ length: 6 }, () => whoami(second.url, account.id, wrong)));
    const answer = await eventually(
      () => whoami(rekey.url, account.id, account.secret),
      (response) => response.json?.code === 'locked',
      1500,
    );
    expect(answer.json.code).toBe('locked');
  });
});
