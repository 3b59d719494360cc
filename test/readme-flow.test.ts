import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpbis } from 'http-message-signatures';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

/** The README's path, as a new user walks it: serve on SQLite, init beside it, sign, rotate. */
describe('README walkthrough against real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-readme-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts on SQLite, initialises beside the server, accepts a library-signed request and rotates', async () => {
    server = await startServerProcess({ REKEY_DATABASE_URL: '', REKEY_MASTER_KEY: '', REKEY_MASTER_KEY_FILE: '' }, { cwd: dir });
    expect(server.output()).toContain('rekey.key');
    const init = await runCli(['init', '--json', '--account', '1234567', '--name', 'Acme', '--admin-email', 'admin@acme.test'], {
      REKEY_DATABASE_URL: join(dir, 'rekey.db'),
    });
    expect(init.code, init.stderr).toBe(0);
    const { adminToken } = JSON.parse(init.stdout);

    const created = await fetch(`${server.url}/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ profile: 'integrator', name: 'Partner' }),
    });
    expect(created.status).toBe(201);
    const client = JSON.parse(await created.text());

    const sign = async (secret: string, method: string, path: string, body?: string) => {
      const headers: Record<string, string> =
        body === undefined
          ? {}
          : {
              'content-type': 'application/json',
              'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
            };
      const signed = await httpbis.signMessage(
        {
          key: {
            id: client.id,
            alg: 'hmac-sha256',
            sign: async (data: Buffer) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(data).digest(),
          },
          fields: body === undefined ? ['@method', '@target-uri'] : ['@method', '@target-uri', 'content-digest', 'content-type'],
          params: ['created', 'expires', 'keyid', 'alg', 'nonce'],
          paramValues: { nonce: randomBytes(12).toString('base64url') },
        },
        { method, url: `${server!.url}${path}`, headers },
      );
      return fetch(`${server!.url}${path}`, {
        method,
        headers: signed.headers as Record<string, string>,
        ...(body !== undefined ? { body } : {}),
      });
    };

    expect((await sign(client.secret, 'GET', '/v1/whoami')).status).toBe(200);

    const graced = await sign(client.secret, 'POST', '/v1/integrator/regenerate-secret', '{"oldSecretValidForSeconds":60}');
    expect(graced.status).toBe(200);
    const gracedJson = JSON.parse(await graced.text());
    const expiresIn = Date.parse(gracedJson.oldSecretExpiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(55_000);
    expect(expiresIn).toBeLessThanOrEqual(60_000);
    expect((await sign(client.secret, 'GET', '/v1/whoami')).status).toBe(200);
    expect((await sign(gracedJson.secret, 'GET', '/v1/whoami')).status).toBe(200);

    const immediate = await sign(gracedJson.secret, 'POST', '/v1/integrator/regenerate-secret', '{"oldSecretValidForSeconds":0}');
    expect(immediate.status).toBe(200);
    const refused = await sign(gracedJson.secret, 'GET', '/v1/whoami');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('www-authenticate')).toBeTruthy();
    const problem = JSON.parse(await refused.text());
    expect(problem).toMatchObject({ status: 401, code: 'stale_secret', realm: expect.any(String), scope: expect.any(String) });
  }, 60_000);
});
