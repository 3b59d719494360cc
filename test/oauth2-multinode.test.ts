import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';
import { basic, createOAuthClient, decodeProtectedHeader, form, issueToken, type OAuthClient } from './oauth2-helpers.js';

const run = promisify(execFile);

/** Polls `check` until it holds, for at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not within ${ms} ms`);
}

// Node A runs in-process, node B is a `rekey serve` process on the same database (npm run build first).
describe.each(STORE_KINDS)('OAuth across nodes (%s)', (kind) => {
  let rekey: Rekey;
  let nodeB: ChildProcess;
  let urlB: string;
  let client: OAuthClient;

  const whoamiAt = (url: string, token: string) =>
    send(url, 'GET', '/v1/whoami', { token: null, headers: { authorization: `Bearer ${token}` } });
  const introspectAt = (url: string, token: string) =>
    send(url, 'POST', '/oauth/introspect', {
      token: null,
      headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: form({ token }),
    });
  const tokenAt = async (url: string): Promise<string> => {
    const response = await send(url, 'POST', '/oauth/token', {
      token: null,
      headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: 'grant_type=client_credentials',
    });
    expect(response.status, response.text).toBe(200);
    return response.json.access_token as string;
  };

  beforeAll(async () => {
    rekey = await startRekey(kind);
    client = await createOAuthClient(rekey);
    const port = await freePort();
    urlB = `http://127.0.0.1:${port}`;
    // Same deployment, same issuer: REKEY_PUBLIC_URL names the public address, not this node's.
    nodeB = spawn('node', ['bin/rekey.js', 'serve'], {
      env: { ...process.env, ...rekey.env, REKEY_PORT: String(port), REKEY_PUBLIC_URL: rekey.config.publicUrl, REKEY_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    await within(15_000, async () => (await fetch(`${urlB}/healthz`).catch(() => null))?.ok === true);
  });
  afterAll(async () => {
    nodeB?.kill('SIGTERM');
    await new Promise((resolve) => (nodeB?.exitCode !== null ? resolve(undefined) : nodeB.once('exit', resolve)));
    await rekey.close();
  });

  it('a token issued by either node verifies on the other', async () => {
    expect((await whoamiAt(urlB, await issueToken(rekey, client))).status).toBe(200);
    expect((await whoamiAt(rekey.url, await tokenAt(urlB))).status).toBe(200);
    expect((await introspectAt(rekey.url, await tokenAt(urlB))).json.active).toBe(true);
  });

  it('a revocation on one node stops the token on the other within a second', async () => {
    const token = await tokenAt(urlB);
    expect((await whoamiAt(urlB, token)).status).toBe(200);
    expect((await introspectAt(urlB, token)).json.active).toBe(true);
    const revoked = await send(rekey.url, 'POST', '/oauth/revoke', {
      token: null,
      headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: form({ token }),
    });
    expect(revoked.status).toBe(200);
    await within(1000, async () => (await whoamiAt(urlB, token)).status === 401);
    expect((await introspectAt(urlB, token)).json).toEqual({ active: false });
  });

  it('regenerate with revokeIssuedTokens on one node stops old tokens on the other within a second', async () => {
    const target = await createOAuthClient(rekey);
    const token = await issueToken(rekey, target);
    expect((await whoamiAt(urlB, token)).status).toBe(200);
    expect((await rekey.request('POST', `/v1/clients/${target.id}/regenerate`, { body: { revokeIssuedTokens: true } })).status).toBe(200);
    await within(1000, async () => (await whoamiAt(urlB, token)).status === 401);
    expect((await whoamiAt(urlB, token)).json.code).toBe('revoked');
  });

  it('after `rekey signing-keys rotate`, every node signs with the new key and still verifies the old one', async () => {
    const before = await tokenAt(urlB);
    const { stdout } = await run('node', ['bin/rekey.js', 'signing-keys', 'rotate', '--json'], { env: { ...process.env, ...rekey.env } });
    const kid = JSON.parse(stdout).active.kid as string;
    // Node B re-reads its keys every 10 s.
    await within(15_000, async () => decodeProtectedHeader(await tokenAt(urlB)).kid === kid);
    const after = await tokenAt(urlB);
    // Node A has not refreshed on its own clock yet: an unknown kid makes it re-read the keys.
    expect((await whoamiAt(rekey.url, after)).status).toBe(200);
    expect((await whoamiAt(rekey.url, before)).status).toBe(200);
    expect((await whoamiAt(urlB, before)).status).toBe(200);
    const jwks = (await send(urlB, 'GET', '/.well-known/jwks.json', { token: null })).json.keys as Array<{ kid: string }>;
    expect(jwks.map((key) => key.kid)).toEqual(expect.arrayContaining([kid, decodeProtectedHeader(before).kid]));
  }, 30_000);
});
