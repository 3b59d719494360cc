import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeyAad } from '../src/core/oauth/signing-key.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';
import {
  createOAuthClient,
  decodeJwt,
  decodeProtectedHeader,
  introspect,
  issueToken,
  verifyOffline,
  whoamiWith,
  type OAuthClient,
} from './oauth2-helpers.js';

const run = promisify(execFile);

// The CLI runs from dist/: `npm run build` first (npm test does).
describe.each(STORE_KINDS)('signing keys, JWKS and metadata (%s)', (kind) => {
  let rekey: Rekey;
  let client: OAuthClient;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    client = await createOAuthClient(rekey);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run('node', ['bin/rekey.js', ...args], { env: { ...process.env, ...rekey.env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const jwks = async (): Promise<Array<Record<string, string>>> =>
    (await send(rekey.url, 'GET', '/.well-known/jwks.json', { token: null })).json.keys;
  /** Lets the server's key refresh run (it re-reads the keys every 10 s of its clock) and waits until `done`. */
  const eventually = async (done: () => Promise<boolean>): Promise<void> => {
    rekey.clock.advance(10_001);
    for (let i = 0; i < 100; i++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the server did not pick up the change');
  };

  it('publishes RFC 8414 metadata', async () => {
    const response = await send(rekey.url, 'GET', '/.well-known/oauth-authorization-server', { token: null });
    expect(response.status).toBe(200);
    const issuer = rekey.config.publicUrl;
    expect(response.json).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      grant_types_supported: ['client_credentials'],
    });
  });

  it('publishes the active key and the next one, public halves only', async () => {
    const response = await send(rekey.url, 'GET', '/.well-known/jwks.json', { token: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const keys = response.json.keys as Array<Record<string, string>>;
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: 'ES256',
        use: 'sig',
      });
    }
    const token = await issueToken(rekey, client);
    expect(decodeProtectedHeader(token).kid).toBe(keys[0]!.kid);
  });

  it('stores private keys only encrypted, bound to their kid', async () => {
    const keys = await rekey.runtime.core.store.listSigningKeys();
    expect(keys.map((key) => key.state).sort()).toEqual(['active', 'next']);
    for (const key of keys) {
      expect(key.privateCiphertext).toMatch(/^v1\./);
      expect(key.privateCiphertext).not.toContain('"d"');
      expect(JSON.parse(rekey.runtime.core.keyring.decrypt(key.privateCiphertext, signingKeyAad(key.kid))).d).toEqual(expect.any(String));
      const other = keys.find((candidate) => candidate.kid !== key.kid)!;
      expect(() => rekey.runtime.core.keyring.decrypt(key.privateCiphertext, signingKeyAad(other.kid))).toThrow();
    }
  });

  it('rotates with `rekey signing-keys rotate`: the retired key verifies its tokens until they expire, then leaves the JWKS', async () => {
    const before = await jwks();
    const [oldKid, nextKid] = [before[0]!.kid!, before[1]!.kid!];
    const oldToken = await issueToken(rekey, client);
    expect(decodeProtectedHeader(oldToken).kid).toBe(oldKid);

    const rotated = await cli('signing-keys', 'rotate', '--json');
    expect(rotated.code, rotated.stderr).toBe(0);
    const result = JSON.parse(rotated.stdout);
    // The pre-published next key became active, so resource servers caching the JWKS already knew it.
    expect(result.active).toMatchObject({ kid: nextKid, alg: 'ES256', state: 'active' });
    expect(result.retired).toEqual([expect.objectContaining({ kid: oldKid, state: 'retired' })]);
    expect(rotated.stdout).not.toMatch(/"d"|privateCiphertext|v1\./);

    await eventually(async () => decodeProtectedHeader(await issueToken(rekey, client)).kid === nextKid);
    const kids = (await jwks()).map((key) => key.kid);
    expect(kids).toHaveLength(3);
    expect(kids.slice(0, 1)).toEqual([nextKid]);
    expect(kids).toContain(oldKid);

    // Signed by a retired key: still good until exp, for Rekey and for offline verifiers.
    expect((await whoamiWith(rekey, oldToken)).status).toBe(200);
    expect((await introspect(rekey, client, oldToken)).json.active).toBe(true);
    expect(await verifyOffline(rekey, oldToken)).toMatchObject({ sub: client.id });

    const expiresAt = (decodeJwt(oldToken).exp as number) * 1000;
    rekey.clock.advance(expiresAt - rekey.clock.now() + 1000);
    const expired = await whoamiWith(rekey, oldToken);
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe('expired');
    // The key lingers for the refresh lag and clock skew, then goes.
    rekey.clock.advance(75_000);
    expect((await jwks()).map((key) => key.kid)).not.toContain(oldKid);
    expect((await jwks()).map((key) => key.kid)).toContain(nextKid);
  });

  it('switches algorithm with --alg EdDSA', async () => {
    const rotated = await cli('signing-keys', 'rotate', '--alg', 'EdDSA', '--json');
    expect(rotated.code, rotated.stderr).toBe(0);
    const kid = JSON.parse(rotated.stdout).active.kid as string;
    await eventually(async () => decodeProtectedHeader(await issueToken(rekey, client)).kid === kid);
    const token = await issueToken(rekey, client);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid, typ: 'at+jwt' });
    expect((await jwks()).find((key) => key.kid === kid)).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(await verifyOffline(rekey, token)).toMatchObject({ sub: client.id });
    expect((await whoamiWith(rekey, token)).status).toBe(200);
  });

  it('rotates on its own once the active key is 30 days old', async () => {
    const before = decodeProtectedHeader(await issueToken(rekey, client)).kid;
    rekey.clock.advance(31 * 86_400_000);
    await eventually(async () => decodeProtectedHeader(await issueToken(rekey, client)).kid !== before);
    const keys = await rekey.runtime.core.store.listSigningKeys();
    expect(keys.filter((key) => key.state === 'active')).toHaveLength(1);
    expect(keys.filter((key) => key.state === 'next')).toHaveLength(1);
    expect(keys.find((key) => key.kid === before)?.state).toBe('retired');
    // The node that rotated says so in its log, naming the new active key and the retired one.
    const active = keys.find((key) => key.state === 'active')!;
    const lines = rekey.logs.filter((entry) => entry.includes('signing key rotated on schedule')).map((entry) => JSON.parse(entry));
    expect(lines.at(-1)).toMatchObject({ level: 30, kid: active.kid, alg: active.alg, retired: [before] });
    expect(rekey.logs.filter((entry) => entry.includes('signing keys created'))).toHaveLength(1);
  });

  it('lists keys and refuses bad usage', async () => {
    const listed = await cli('signing-keys', 'list', '--json');
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout).items as Array<Record<string, unknown>>;
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(expect.arrayContaining(['alg', 'kid', 'state']));
    expect(listed.stdout).not.toMatch(/"d"|v1\./);
    expect((await cli('signing-keys', 'rotate', '--alg', 'HS256')).code).toBe(2);
    expect((await cli('signing-keys', 'spin')).code).toBe(2);
  });
});
