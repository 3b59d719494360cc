import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startRekey, type Rekey } from './support/harness.js';
import { createTestDatabase, STORE_KINDS } from './support/stores.js';

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

describe.each(STORE_KINDS)('CLI against a running server (%s)', (kind) => {
  let rekey: Rekey;
  let env: Record<string, string>;
  beforeAll(async () => {
    rekey = await startRekey(kind);
    env = { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token };
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('20 regenerates racing from the server and the CLI leave exactly one current version: the last committed', async () => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'raced' } });
    const id = created.json.id as string;
    const viaHttp = Array.from({ length: 10 }, () =>
      rekey.request('POST', `/v1/clients/${id}/regenerate`, { body: {} }).then((r) => {
        expect(r.status).toBe(200);
        return r.json as { versionId: string; secret: string };
      }),
    );
    const viaCli = Array.from({ length: 10 }, () =>
      runCli(['clients', 'regenerate', id, '--yes', '--json'], env).then((r) => {
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as { versionId: string; secret: string };
      }),
    );
    const results = await Promise.all([...viaHttp, ...viaCli]);
    expect(new Set(results.map((r) => r.secret)).size).toBe(20);

    const view = await rekey.request('GET', `/v1/clients/${id}`);
    const current = view.json.versions.filter((v: { state: string }) => v.state === 'current');
    expect(current).toHaveLength(1);
    const newest = [...view.json.versions].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
    expect(current[0].versionId).toBe(newest.versionId);
    const winner = results.find((r) => r.versionId === current[0].versionId);
    expect(winner).toBeDefined();

    // The server sees the CLI's commits (change log) within a second.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await rekey.request('GET', '/v1/whoami', { token: null, headers: basic(id, winner!.secret) })).status).toBe(200);
    for (const loser of results.filter((r) => r !== winner).slice(0, 5)) {
      const response = await rekey.request('GET', '/v1/whoami', { token: null, headers: basic(id, loser.secret) });
      expect(response.json.code).toBe('stale_secret');
    }
  }, 60_000);

  it('regenerates with --revoke-issued-tokens: access tokens from the old secret stop working', async () => {
    const created = JSON.parse((await runCli(['clients', 'create', '--profile', 'oauth', '--name', 'Tokens', '--json'], env)).stdout);
    const form = (body: Record<string, string>) => new URLSearchParams(body).toString();
    const basicOf = (secret: string) => `Basic ${Buffer.from(`${created.id}:${secret}`).toString('base64')}`;
    const issued = await fetch(`${rekey.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicOf(created.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(issued.status).toBe(200);
    const { access_token: token } = JSON.parse(await issued.text());
    expect((await rekey.request('GET', '/v1/whoami', { token })).status).toBe(200);
    const rotated = await runCli(['clients', 'regenerate', created.id, '--revoke-issued-tokens', '--yes', '--json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { secret } = JSON.parse(rotated.stdout);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await rekey.request('GET', '/v1/whoami', { token })).status).toBe(401);
    const introspected = await fetch(`${rekey.url}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: basicOf(secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token }),
    });
    expect(JSON.parse(await introspected.text())).toEqual({ active: false });
  }, 60_000);

  it('speaks human and --json, with the exit codes of SPEC §8', async () => {
    const created = await runCli(['clients', 'create', '--profile', 'oauth', '--name', 'From CLI', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const client = JSON.parse(created.stdout);
    expect(client.secret).toMatch(/^rk_sec_/);
    const human = await runCli(['clients', 'get', client.id], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`id: ${client.id}`);
    expect(human.stdout).not.toContain(client.secret);
    const list = await runCli(['clients', 'list', '--json'], env);
    expect(JSON.parse(list.stdout).items.some((item: { id: string }) => item.id === client.id)).toBe(true);

    expect((await runCli(['clients', 'get', 'cli_missing'], env)).code).toBe(3);
    expect((await runCli(['clients', 'get', client.id], { ...env, REKEY_ADMIN_TOKEN: rekey.other.token })).code).toBe(3);
    expect((await runCli(['clients', 'frobnicate'], env)).code).toBe(2);
    expect((await runCli(['clients', 'get', client.id, '--bogus'], env)).code).toBe(2);
    expect((await runCli(['clients', 'get', client.id], { ...env, REKEY_ADMIN_TOKEN: 'rk_adm_nope' })).code).toBe(5);
    expect((await runCli(['clients', 'regenerate', client.id, '--grace-seconds', '-5', '--yes'], env)).code).toBe(2);
    const audit = await runCli(['audit', 'list', '--json', '--client', client.id], env);
    expect(JSON.parse(audit.stdout).items[0].type).toBe('client.created');
  }, 60_000);
});

describe('init, keys and configuration', () => {
  it('init --json prints the pinned shape once and refuses a non-empty database with exit 4', async () => {
    for (const kind of STORE_KINDS) {
      const db = await createTestDatabase(kind);
      const env = { REKEY_DATABASE_URL: db.url, REKEY_MASTER_KEY: randomBytes(32).toString('base64') };
      try {
        const passwordFile = join(db.dir, 'password');
        writeFileSync(passwordFile, 'correct horse battery\n');
        const first = await runCli(
          [
            'init',
            '--json',
            '--account',
            '1234567',
            '--name',
            'Acme',
            '--admin-email',
            'admin@acme.test',
            '--admin-password-file',
            passwordFile,
          ],
          { ...env, REKEY_TEST_LIGHT_HASHING: '1' },
        );
        expect(first.code, first.stderr).toBe(0);
        const result = JSON.parse(first.stdout);
        expect(Object.keys(result)).toEqual(['accountId', 'memberId', 'adminToken']);
        expect(result.accountId).toBe('1234567');
        expect(result.adminToken).toMatch(/^rk_adm_/);
        const second = await runCli(['init', '--json', '--account', '7654321', '--name', 'Other', '--admin-email', 'x@y.test'], env);
        expect(second.code).toBe(4);
        expect(second.stdout).toBe('');
        const bad = await runCli(['init', '--json', '--account', 'bad id!', '--name', 'X', '--admin-email', 'x@y.test'], env);
        expect(bad.code).toBe(2);
        expect((await runCli(['init', '--json', '--account', 'abc'], env)).code).toBe(2);
      } finally {
        await db.drop();
      }
    }
  }, 60_000);

  it('generates rekey.key for SQLite (mode 0600, warning), refuses a different key, and rotates the master key online', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const env = { REKEY_DATABASE_URL: db.url };
      const first = await runCli(['init', '--json', '--account', 'acme', '--name', 'Acme', '--admin-email', 'a@acme.test'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain('rekey.key');
      // Without --admin-password-file, init says how to set a password, on stderr; stdout keeps one JSON document.
      expect(first.stderr).toContain('rekey members set-password');
      expect(first.stdout.trim().split('\n')).toHaveLength(1);
      expect(Object.keys(JSON.parse(first.stdout))).toEqual(['accountId', 'memberId', 'adminToken']);
      const { statSync, readFileSync } = await import('node:fs');
      const keyPath = join(db.dir, 'rekey.key');
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      const token = JSON.parse(first.stdout).adminToken;
      const created = await runCli(['clients', 'create', '--profile', 'apikey', '--name', 'k', '--json'], {
        ...env,
        REKEY_ADMIN_TOKEN: token,
      });
      expect(created.code).toBe(0);
      // The warning came once, from the process that generated the key; later commands stay quiet.
      expect(created.stderr).not.toMatch(/master key/i);

      const wrongKey = await runCli(['clients', 'list'], {
        ...env,
        REKEY_ADMIN_TOKEN: token,
        REKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      });
      expect(wrongKey.code).not.toBe(0);
      expect(wrongKey.stderr).toMatch(/master key does not match/i);

      const newKeyFile = join(db.dir, 'new.key');
      writeFileSync(newKeyFile, randomBytes(32).toString('base64'));
      const rotated = await runCli(['master-key', 'rotate', '--new-key-file', newKeyFile, '--json'], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      // The old key no longer opens the database; the new one does, and the stored hashes still verify.
      expect((await runCli(['clients', 'list'], { ...env, REKEY_ADMIN_TOKEN: token })).code).not.toBe(0);
      const withNew = await runCli(['clients', 'list', '--json'], { ...env, REKEY_ADMIN_TOKEN: token, REKEY_MASTER_KEY_FILE: newKeyFile });
      expect(withNew.code, withNew.stderr).toBe(0);
      expect(JSON.parse(withNew.stdout).items).toHaveLength(1);
      expect(readFileSync(keyPath, 'utf8').trim()).not.toBe(readFileSync(newKeyFile, 'utf8').trim());
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('refuses to start on PostgreSQL without a master key, and names bad variables', async () => {
    const noKey = await runCli(['clients', 'list'], {
      REKEY_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      REKEY_MASTER_KEY: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('REKEY_MASTER_KEY');
    const badPort = await runCli(['serve'], { REKEY_PORT: 'eighty', REKEY_DATABASE_URL: '/tmp/x.db' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('REKEY_PORT');
  });
});
