import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { startNode, stopAllNodes, type NodeProcess } from './support/rekey-nodes.js';
import { STORE_KINDS } from './support/stores.js';

const LANES = 3;
const CLIENTS_PER_LANE = 3;
const KILLS_PER_LANE = 9; // 27 random kills per store
const MAX_KILL_DELAY_MS = 150;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const newKey = (): string => `crash-${randomBytes(9).toString('base64url')}`;

/** A regenerate whose answer may never arrive: `null` when the connection died first. */
async function regenerate(url: string, token: string, clientId: string, key: string): Promise<TestResponse | null> {
  try {
    return await send(
      url,
      'POST',
      `/v1/clients/${clientId}/regenerate`,
      { body: { graceSeconds: 0 }, headers: { 'idempotency-key': key } },
      token,
    );
  } catch {
    return null;
  }
}

/**
 * SPEC §9 crash safety: a regenerate is one transaction, so a kill at any instant leaves either the
 * old secret working (not committed) or the new one (committed), and a caller that lost the answer
 * gets the committed secret back by retrying with its Idempotency-Key.
 */
describe.each(STORE_KINDS)('killed mid-rotation (%s)', (kind) => {
  let rekey: Rekey;
  let survivor: NodeProcess;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    survivor = await startNode(rekey.env);
  });
  afterAll(async () => {
    await stopAllNodes();
    await rekey?.close();
  });

  const whoami = (url: string, clientId: string, secret: string): Promise<TestResponse> =>
    send(url, 'GET', '/v1/whoami', { token: null, headers: { authorization: basic(clientId, secret) } });
  const versionsOf = async (url: string, clientId: string): Promise<Array<{ versionId: string; state: string }>> =>
    (await send(url, 'GET', `/v1/clients/${clientId}`, {}, rekey.main.token)).json.versions;

  for (const point of ['before-commit', 'after-commit'] as const) {
    it(`SIGKILL at the ${point} fault point: the retry with the Idempotency-Key recovers a working secret`, async () => {
      const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: `Fault ${point}` } });
      const clientId: string = created.json.id;
      const key = newKey();
      const victim = await startNode({ ...rekey.env, REKEY_FAULT: point });
      expect(await regenerate(victim.url, rekey.main.token, clientId, key)).toBeNull();
      expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });

      const committed = point === 'after-commit';
      const old = await whoami(survivor.url, clientId, created.json.secret);
      expect(old.status).toBe(committed ? 401 : 200);
      if (committed) expect(old.json.code).toBe('stale_secret');
      const before = await versionsOf(survivor.url, clientId);
      expect(before).toHaveLength(committed ? 2 : 1);

      const retry = await regenerate(survivor.url, rekey.main.token, clientId, key);
      expect(retry?.status).toBe(200);
      const after = await versionsOf(survivor.url, clientId);
      expect(after).toHaveLength(2);
      const current = after.filter((version) => version.state === 'current');
      expect(current.map((version) => version.versionId)).toEqual([retry!.json.versionId]);
      if (committed) expect(retry!.json.versionId).toBe(before.find((version) => version.state === 'current')!.versionId);
      expect((await whoami(survivor.url, clientId, retry!.json.secret)).status).toBe(200);
      expect((await whoami(survivor.url, clientId, created.json.secret)).status).toBe(401);
    });
  }

  it(
    `SIGKILL at ${LANES * KILLS_PER_LANE} random moments of a stream of regenerates: no client is left without a working secret`,
    { timeout: 180_000 },
    async () => {
      const tally = { kills: 0, lost: 0, recoveredByReplay: 0, recoveredByRetry: 0, answered: 0 };

      const lane = async (): Promise<void> => {
        const clients: Array<{ id: string; secret: string; pendingKey: string | null }> = [];
        for (let i = 0; i < CLIENTS_PER_LANE; i++) {
          const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: `Stream ${i}` } });
          clients.push({ id: created.json.id, secret: created.json.secret, pendingKey: null });
        }
        // The next node boots while the current one streams, so a kill is followed by a ready node.
        let node = await startNode(rekey.env);
        // Marked as handled at once: a boot that fails while this lane is busy is reported when awaited.
        const boot = (): Promise<NodeProcess> => {
          const booting = startNode(rekey.env);
          booting.catch(() => undefined);
          return booting;
        };
        let next: Promise<NodeProcess> | null = boot();
        try {
          for (const client of clients) expect((await whoami(node.url, client.id, client.secret)).status).toBe(200);
          for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
            // Each client regenerates back to back until its connection dies under it.
            let firstAnswer!: () => void;
            const answered = new Promise<void>((resolve) => {
              firstAnswer = resolve;
            });
            const streams = clients.map(async (client) => {
              for (;;) {
                const key = newKey();
                const response = await regenerate(node.url, rekey.main.token, client.id, key);
                if (response === null) {
                  client.pendingKey = key;
                  return;
                }
                expect(response.status, response.text).toBe(200);
                client.secret = response.json.secret;
                tally.answered++;
                firstAnswer();
              }
            });
            // Half the kills land anywhere from the first request on; half once rotations are
            // flowing, so that some land between a commit and its answer.
            if (Math.random() < 0.5) await Promise.race([answered, sleep(2000)]);
            await sleep(Math.random() * MAX_KILL_DELAY_MS);
            await node.kill();
            tally.kills++;
            await Promise.all(streams);
            node = await next!;
            next = kill + 1 < KILLS_PER_LANE ? boot() : null;

            for (const client of clients) {
              const key = client.pendingKey!;
              tally.lost++;
              // Before the retry: either the last secret we were given still works (the lost call did
              // not commit) or it was replaced (the lost call committed) — never neither.
              const before = await whoami(node.url, client.id, client.secret);
              expect([200, 401]).toContain(before.status);
              const committed = before.status === 401;
              if (committed) expect(before.json.code).toBe('stale_secret');
              const currentBefore = (await versionsOf(node.url, client.id)).find((version) => version.state === 'current')!.versionId;

              const retry = await regenerate(node.url, rekey.main.token, client.id, key);
              expect(retry?.status, retry?.text).toBe(200);
              if (committed) {
                expect(retry!.json.versionId, 'a committed call replays its answer').toBe(currentBefore);
                tally.recoveredByReplay++;
              } else {
                tally.recoveredByRetry++;
              }
              client.secret = retry!.json.secret;
              client.pendingKey = null;
              expect((await whoami(node.url, client.id, client.secret)).status).toBe(200);
            }
          }
        } finally {
          await node.kill();
          await (await next?.catch(() => null))?.kill();
        }
      };

      await Promise.all(Array.from({ length: LANES }, () => lane()));
      expect(tally.kills).toBe(LANES * KILLS_PER_LANE);
      expect(tally.lost).toBe(tally.kills * CLIENTS_PER_LANE);
      console.log(
        `crash (${kind}): ${tally.kills} random SIGKILLs, ${tally.answered} regenerates answered, ${tally.lost} answers lost — ${tally.recoveredByReplay} recovered by replaying a committed rotation, ${tally.recoveredByRetry} by rotating on retry`,
      );
    },
  );
});
