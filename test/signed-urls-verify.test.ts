import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedUrlVerifier } from '@rekey/sdk';
import { runCli } from './support/cli.js';
import { limitedToken } from './support/key-accounts.js';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { portalAppCredentials, preparePortalMembers, register } from './support/portal.js';
import { STORE_KINDS } from './support/stores.js';

const FILE = 'https://files.acme.test/reports/q3.pdf?download=1&z=last';

describe.each(STORE_KINDS)('signed URLs (%s)', (kind) => {
  let rekey: Rekey;
  const sign = (body: Record<string, unknown>, token?: string): Promise<TestResponse> =>
    rekey.request('POST', '/v1/signed-urls', { body, ...(token ? { token } : {}) });
  const verify = (url: string, method = 'GET', token?: string): Promise<TestResponse> =>
    rekey.request('POST', '/v1/signed-urls/verify', { body: { url, method }, ...(token ? { token } : {}) });

  beforeAll(async () => {
    rekey = await startRekey(kind);
    await preparePortalMembers(rekey);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('refuses to sign before the first registration: 409 no_credentials', async () => {
    const response = await sign({ url: FILE, method: 'GET', ttlSeconds: 600 });
    expect(response.status).toBe(409);
    expect(response.json).toMatchObject({ code: 'no_credentials', status: 409 });
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it("signs with the portal key account's current version; the URL verifies, and any change breaks it", async () => {
    const registered = await register(rekey);
    expect(registered.status).toBe(200);
    const before = Math.floor(rekey.clock.now() / 1000);
    const signed = await sign({ url: FILE, method: 'GET', ttlSeconds: 600 });
    expect(signed.status, signed.text).toBe(201);
    const url = new URL(signed.json.url);
    expect(url.searchParams.get('rk_kid')).toBe(registered.json.versionId);
    expect(Number(url.searchParams.get('rk_exp'))).toBeGreaterThanOrEqual(before + 600);
    expect(Date.parse(signed.json.expiresAt)).toBe(Number(url.searchParams.get('rk_exp')) * 1000);
    expect(signed.json.url.startsWith(FILE)).toBe(true);

    expect((await verify(signed.json.url)).json).toEqual({ valid: true, code: 'ok', accountId: 'acme1', expiresAt: signed.json.expiresAt });
    // The query may be reordered: the canonical form sorts it.
    const reordered = new URL(signed.json.url);
    const params = [...reordered.searchParams.entries()].reverse();
    reordered.search = new URLSearchParams(params).toString();
    expect((await verify(reordered.toString())).json.valid).toBe(true);

    const tampered = [
      signed.json.url.replace('q3.pdf', 'q4.pdf'),
      signed.json.url.replace('download=1', 'download=2'),
      signed.json.url.replace(/rk_exp=(\d+)/, (_m: string, exp: string) => `rk_exp=${Number(exp) + 3600}`),
      `${signed.json.url}&extra=1`,
      signed.json.url.replace(/rk_sig=[^&]+/, 'rk_sig=AAAA'),
      signed.json.url.replace(/&rk_sig=[^&]+/, ''),
      'not a url',
    ];
    for (const candidate of tampered) expect((await verify(candidate)).json, candidate).toEqual({ valid: false, code: 'bad_signature' });
    expect((await verify(signed.json.url, 'PUT')).json).toEqual({ valid: false, code: 'bad_signature' });
  });

  it('expires at rk_exp (injected clock)', async () => {
    const signed = await sign({ url: FILE, method: 'GET', ttlSeconds: 120 });
    expect((await verify(signed.json.url)).json.valid).toBe(true);
    rekey.clock.advance(121 * 1000);
    expect((await verify(signed.json.url)).json).toMatchObject({ valid: false, code: 'expired', expiresAt: signed.json.expiresAt });
  });

  it('keeps a rotated-out version verify-only for 48 h (never for authentication); new URLs use the new version', async () => {
    const old = await portalAppCredentials(rekey);
    const signed = await sign({ url: FILE, method: 'GET', ttlSeconds: 172_800 });
    const again = await register(rekey);
    expect(
      (
        await send(rekey.url, 'GET', '/v1/whoami', {
          token: null,
          headers: { authorization: `Basic ${Buffer.from(`${old.keyAccountId}:${old.value}`).toString('base64')}` },
        })
      ).status,
    ).toBe(401);
    rekey.clock.advance(47 * 3600 * 1000);
    expect((await verify(signed.json.url)).json).toMatchObject({ valid: true, code: 'ok' });
    const fresh = await sign({ url: FILE, method: 'GET', ttlSeconds: 600 });
    expect(new URL(fresh.json.url).searchParams.get('rk_kid')).toBe(again.json.versionId);
    rekey.clock.advance(3600 * 1000 + 1000);
    expect((await verify(signed.json.url)).json).toMatchObject({ valid: false, code: 'expired' });
  });

  it("kills a revoked version's URLs at once, and the SDK verifier caches only briefly", async () => {
    const signed = await sign({ url: FILE, method: 'GET', ttlSeconds: 3600 });
    let calls = 0;
    const verifier = createSignedUrlVerifier({
      url: rekey.url,
      adminToken: rekey.main.token,
      cacheTtlMs: 5000,
      now: () => rekey.clock.now(),
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    expect(await verifier.verify(signed.json.url)).toMatchObject({ valid: true, code: 'ok', accountId: 'acme1' });
    expect(await verifier.verify(signed.json.url, 'get')).toMatchObject({ valid: true });
    expect(calls).toBe(1);
    expect(await verifier.verify(signed.json.url.replace('q3', 'q9'))).toEqual({ valid: false, code: 'bad_signature' });
    expect(await verifier.verify(signed.json.url.replace('q3', 'q9'))).toEqual({ valid: false, code: 'bad_signature' });
    expect(calls).toBe(3);

    const kid = new URL(signed.json.url).searchParams.get('rk_kid')!;
    const portal = await portalAppCredentials(rekey);
    expect((await rekey.request('POST', `/v1/clients/${portal.keyAccountId}/versions/${kid}/revoke`, { body: {} })).status).toBe(200);
    expect((await verify(signed.json.url)).json).toMatchObject({ valid: false, code: 'revoked' });
    // The SDK's positive cache is short; once it passes, the SDK sees the revocation too.
    expect((await verifier.verify(signed.json.url)).valid).toBe(true);
    rekey.clock.advance(5001);
    expect(await verifier.verify(signed.json.url)).toMatchObject({ valid: false, code: 'revoked' });
    // With no current version left, signing needs a registration first.
    const refused = await sign({ url: FILE, method: 'GET', ttlSeconds: 60 });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('no_credentials');
    expect((await register(rekey)).status).toBe(200);
  });

  it('rejects bad input with 400 and changes nothing', async () => {
    for (const body of [
      { url: FILE, method: 'GET', ttlSeconds: 172_801 },
      { url: FILE, method: 'GET', ttlSeconds: 0 },
      { url: FILE, method: 'GET', ttlSeconds: '60' },
      { url: FILE, method: 'GET' },
      { url: 'ftp://files.acme.test/a', method: 'GET', ttlSeconds: 60 },
      { url: '/relative/path', method: 'GET', ttlSeconds: 60 },
      { url: `${FILE}&rk_exp=1`, method: 'GET', ttlSeconds: 60 },
      { url: FILE, method: 'G E T', ttlSeconds: 60 },
      { url: FILE, method: 'GET', ttlSeconds: 60, kid: 'mine' },
    ]) {
      const response = await sign(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.code).toBe('invalid_request');
    }
    expect((await rekey.request('POST', '/v1/signed-urls/verify', { body: { url: FILE } })).status).toBe(400);
    expect((await rekey.request('POST', '/v1/signed-urls/verify', { body: { url: FILE, method: 'GET', extra: 1 } })).status).toBe(400);
  });

  it('`rekey signed-urls create|verify` run the same commands from the CLI', async () => {
    const env = { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token };
    const created = await runCli(['signed-urls', 'create', FILE, '--ttl-seconds', '300', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    // The CLI runs on the system clock (the server's was moved forward by earlier tests), so it verifies too.
    const { url } = JSON.parse(created.stdout) as { url: string };
    const checked = await runCli(['signed-urls', 'verify', url, '--json'], env);
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ valid: true, code: 'ok' });
    const forged = await runCli(['signed-urls', 'verify', url.replace('q3', 'q4'), '--json'], env);
    expect(forged.code).toBe(5);
    expect(JSON.parse(forged.stdout)).toEqual({ valid: false, code: 'bad_signature' });
    expect((await runCli(['signed-urls', 'create', FILE, '--ttl-seconds', 'soon'], env)).code).toBe(2);
  });

  it('needs credentials.verify (403, audited) and keeps accounts apart', async () => {
    const reader = await limitedToken(rekey, ['credentials.read']);
    const denied = await sign({ url: FILE, method: 'GET', ttlSeconds: 60 }, reader);
    expect(denied.status).toBe(403);
    expect((await verify(FILE, 'GET', reader)).status).toBe(403);
    const audit = await rekey.request('GET', '/v1/audit?type=permission.denied');
    expect(audit.json.items[0].data).toMatchObject({ permission: 'credentials.verify' });

    const signed = await sign({ url: FILE, method: 'GET', ttlSeconds: 600 });
    // Another account cannot verify (or learn anything about) this account's URLs.
    expect((await verify(signed.json.url, 'GET', rekey.other.token)).json).toEqual({ valid: false, code: 'bad_signature' });
    expect(
      (await send(rekey.url, 'POST', '/v1/signed-urls/verify', { token: null, body: { url: signed.json.url, method: 'GET' } })).status,
    ).toBe(401);
  });
});
