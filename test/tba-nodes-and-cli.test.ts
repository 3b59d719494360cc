import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOAuthHeader } from '../src/protocols/oauth1.js';
import { runCli } from './support/cli.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { STORE_KINDS } from './support/stores.js';

/**
 * A second `rekey serve` process on the same database, and the CLI writing to it: a reset or a
 * token revocation made anywhere stops the old credentials on every node within a second (SPEC §9).
 * Needs `npm run build`.
 */

interface Creds {
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(STORE_KINDS)('tba across nodes and the CLI (%s)', (kind) => {
  let rekey: Rekey;
  let node: ServerProcess;
  let client: { id: string; consumerKey: string; consumerSecret: string };
  let creds: Creds;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    node = await startServerProcess({ ...rekey.env, REKEY_LOG_LEVEL: 'warn' });
    client = (await rekey.request('POST', '/v1/clients', { body: { profile: 'tba', name: 'Multi-node' } })).json;
    const token = (
      await rekey.request('POST', `/v1/clients/${client.id}/tokens`, { body: { memberId: rekey.main.memberId, role: 'Administrator' } })
    ).json;
    creds = {
      consumerKey: client.consumerKey,
      consumerSecret: client.consumerSecret,
      tokenId: token.tokenId,
      tokenSecret: token.tokenSecret,
    };
  });
  afterAll(async () => {
    await node?.stop();
    await rekey.close();
  });

  /** whoami on a node, signed for that node's own public URL. */
  const whoami = (url: string, c: Creds) =>
    send(url, 'GET', '/v1/whoami', {
      token: null,
      headers: {
        authorization: buildOAuthHeader({
          consumerKey: c.consumerKey,
          consumerSecret: c.consumerSecret,
          token: c.tokenId,
          tokenSecret: c.tokenSecret,
          method: 'GET',
          url: `${url}/v1/whoami`,
          realm: 'acme1',
        }),
      },
    });

  /** How long until `url` refuses `c`, polling every 20 ms for up to 3 s. */
  async function msUntilRefused(url: string, c: Creds): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < 3000) {
      if ((await whoami(url, c)).status === 401) return Date.now() - started;
      await sleep(20);
    }
    return Infinity;
  }

  it('a reset on one node stops the old pair on the other within a second', async () => {
    expect((await whoami(node.url, creds)).status).toBe(200);
    expect((await whoami(node.url, creds)).status).toBe(200);
    const reset = (await rekey.request('POST', `/v1/clients/${client.id}/reset`, { body: {} })).json;
    expect(await msUntilRefused(node.url, creds)).toBeLessThan(1000);
    creds = { ...creds, consumerKey: reset.consumerKey, consumerSecret: reset.consumerSecret };
    expect((await whoami(node.url, creds)).status).toBe(200);
    expect((await whoami(rekey.url, creds)).status).toBe(200);
  });

  it('a token revoked on one node is refused by the other within a second', async () => {
    const second = (
      await rekey.request('POST', `/v1/clients/${client.id}/tokens`, { body: { memberId: rekey.main.memberId, role: 'Administrator' } })
    ).json;
    const other: Creds = { ...creds, tokenId: second.tokenId, tokenSecret: second.tokenSecret };
    expect((await whoami(node.url, other)).status).toBe(200);
    const revoked = await send(node.url, 'DELETE', `/v1/clients/${client.id}/tokens/${second.tokenId}`, { token: rekey.main.token });
    expect(revoked.status).toBe(204);
    expect(await msUntilRefused(rekey.url, other)).toBeLessThan(1000);
    expect((await whoami(node.url, other)).status).toBe(401);
  });

  it('the CLI resets, issues, lists and revokes tokens, and manages members and roles', async () => {
    const env = { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token };
    const reset = await runCli(['clients', 'reset', client.id, '--yes', '--json'], env);
    expect(reset.code, reset.stderr).toBe(0);
    const pair = JSON.parse(reset.stdout);
    expect(Object.keys(pair).sort()).toEqual(['consumerKey', 'consumerSecret']);
    expect(await msUntilRefused(rekey.url, creds)).toBeLessThan(1000);
    expect(await msUntilRefused(node.url, creds)).toBeLessThan(1000);
    creds = { ...creds, consumerKey: pair.consumerKey, consumerSecret: pair.consumerSecret };
    expect((await whoami(node.url, creds)).status).toBe(200);

    const role = await runCli(['roles', 'create', '--name', 'Sync', '--permission', 'credentials.read', '--json'], env);
    expect(role.code, role.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'rekey-cli-'));
    writeFileSync(join(dir, 'pw'), 'cli member password\n');
    const added = await runCli(
      ['members', 'add', '--email', 'cli@acme.test', '--role', 'Sync', '--password-file', join(dir, 'pw'), '--json'],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    const memberId = JSON.parse(added.stdout).id as string;
    const signedIn = await send(rekey.url, 'POST', '/v1/sessions', {
      token: null,
      body: { accountId: 'acme1', email: 'cli@acme.test', password: 'cli member password' },
    });
    expect(signedIn.status).toBe(201);

    const issued = await runCli(['tokens', 'create', client.id, '--member', memberId, '--role', 'Sync', '--json'], env);
    expect(issued.code, issued.stderr).toBe(0);
    const token = JSON.parse(issued.stdout);
    const asSync: Creds = { ...creds, tokenId: token.tokenId, tokenSecret: token.tokenSecret };
    expect((await whoami(node.url, asSync)).json).toMatchObject({ memberId, role: 'Sync' });
    const listed = await runCli(['tokens', 'list', client.id, '--json'], env);
    expect(JSON.parse(listed.stdout).items.map((item: { tokenId: string }) => item.tokenId)).toContain(token.tokenId);
    expect(listed.stdout).not.toContain(token.tokenSecret);

    // Losing the role revokes the token, on every node.
    const setRoles = await runCli(['members', 'set-roles', memberId, '--json'], env);
    expect(setRoles.code, setRoles.stderr).toBe(0);
    expect(await msUntilRefused(node.url, asSync)).toBeLessThan(1000);

    const bad = await runCli(['tokens', 'create', client.id, '--member', memberId, '--role', 'Sync'], env);
    expect(bad.code).toBe(2);
    const notFound = await runCli(['clients', 'reset', 'cli_nope', '--yes'], env);
    expect(notFound.code).toBe(3);
    const conflict = await runCli(
      ['clients', 'reset', (await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'o' } })).json.id, '--yes'],
      env,
    );
    expect(conflict.code).toBe(4);
    const noToken = await runCli(['tokens', 'list', client.id], rekey.env);
    expect(noToken.code).toBe(5);
    const usage = await runCli(['roles', 'frobnicate'], env);
    expect(usage.code).toBe(2);

    const revokeAll = await runCli(['sessions', 'revoke-all', '--yes', '--json'], env);
    expect(JSON.parse(revokeAll.stdout).revoked).toBeGreaterThanOrEqual(1);
    const cookie = signedIn.headers
      .getSetCookie()
      .find((line) => line.startsWith('rekey_session='))!
      .split(';')[0]!;
    const ended = await send(node.url, 'GET', '/v1/clients', { token: null, headers: { cookie } });
    expect(ended.json).toMatchObject({ code: 'session_revoked', reason: 'signed_out_by_admin' });
    const removed = await runCli(['members', 'remove', memberId, '--yes'], env);
    expect(removed.code, removed.stderr).toBe(0);
  });
});
