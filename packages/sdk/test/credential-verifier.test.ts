import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createControlClient,
  createCredentialVerifier,
  MAX_CACHE_TTL_MS,
  RekeyApiError,
  signRequest,
  type ControlClient,
} from '@rekey/sdk';
import { limitedToken } from '../../../test/support/key-accounts.js';
import { startRekey, type Rekey } from '../../../test/support/harness.js';

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('createCredentialVerifier (remote verification with a short positive cache)', () => {
  let rekey: Rekey;
  let control: ControlClient;
  let apikey: { id: string; secret: string };
  const sent: Array<Record<string, unknown>> = [];
  let clock = Date.now();
  const counting = (): typeof fetch => async (input, init) => {
    const request = new Request(input, init);
    sent.push(JSON.parse(await request.clone().text()) as Record<string, unknown>);
    return fetch(request);
  };

  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    control = createControlClient({ url: rekey.url, adminToken: rekey.main.token });
    const created = await control.createClient({ profile: 'apikey', name: 'Cached' });
    apikey = { id: created.id, secret: created.secret! };
  });
  afterAll(async () => {
    await rekey.close();
  });

  const verifier = (options: { cacheTtlMs?: number; forwardSourceAddress?: boolean } = {}): ReturnType<typeof createCredentialVerifier> =>
    createCredentialVerifier({ url: rekey.url, adminToken: rekey.main.token, fetch: counting(), now: () => clock, ...options });

  it('caches positive answers for Basic and Bearer only, for at most cacheTtlMs, keyed so another secret never hits', async () => {
    sent.length = 0;
    const v = verifier();
    const request = {
      method: 'GET',
      url: 'https://api.example/x',
      headers: { authorization: basic(apikey.id, apikey.secret) },
      sourceAddress: '192.0.2.1',
    };
    expect(await v.verify(request)).toMatchObject({ ok: true, cached: false, identity: { clientId: apikey.id } });
    expect(await v.verify(request)).toMatchObject({ ok: true, cached: true, identity: { clientId: apikey.id } });
    expect(sent).toHaveLength(1);
    // The same id with another secret, or the same secret from another address, is asked again.
    expect(await v.verify({ ...request, headers: { authorization: basic(apikey.id, `${apikey.secret.slice(0, -1)}x`) } })).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await v.verify({ ...request, sourceAddress: '192.0.2.2' })).toMatchObject({ ok: true, cached: false });
    expect(sent).toHaveLength(3);
    clock += MAX_CACHE_TTL_MS + 1;
    expect(await v.verify(request)).toMatchObject({ ok: true, cached: false });
    expect(sent).toHaveLength(4);
    // The end client's address goes with every verification by default.
    expect(sent.map((body) => body.sourceAddress)).toEqual(['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.1']);
  });

  it('never caches a refusal or a signed request (a replay must reach Rekey)', async () => {
    sent.length = 0;
    const v = verifier();
    const wrong = { method: 'GET', url: 'https://api.example/x', headers: { authorization: basic(apikey.id, 'rk_key_wrong') } };
    await v.verify(wrong);
    await v.verify(wrong);
    expect(sent).toHaveLength(2);

    const integrator = await control.createClient({ profile: 'integrator', name: 'Replayer' });
    const url = 'https://api.example/orders';
    const headers = await signRequest({ method: 'GET', url, headers: {}, keyId: integrator.id, secret: integrator.secret! });
    expect(await v.verify({ method: 'GET', url, headers })).toMatchObject({ ok: true, identity: { credentialType: 'http_signature' } });
    expect(await v.verify({ method: 'GET', url, headers })).toMatchObject({ ok: false, status: 401, problem: { code: 'replayed_nonce' } });
  });

  it('answers problems: 401 with a challenge (without calling Rekey when nothing was sent), 503 when Rekey cannot answer', async () => {
    sent.length = 0;
    const none = await verifier().verify({ method: 'GET', url: 'https://api.example/x', headers: {} });
    expect(none).toMatchObject({
      ok: false,
      status: 401,
      headers: { 'www-authenticate': expect.stringContaining('Basic') },
      problem: { code: 'unauthenticated', type: `${rekey.url}/problems/unauthenticated` },
    });
    expect(sent).toHaveLength(0);

    const errors: unknown[] = [];
    const withoutPermission = createCredentialVerifier({
      url: rekey.url,
      adminToken: await limitedToken(rekey, ['credentials.read']),
      onError: (error) => errors.push(error),
    });
    const refused = await withoutPermission.verify({
      method: 'GET',
      url: 'https://api.example/x',
      headers: { authorization: basic(apikey.id, apikey.secret) },
    });
    expect(refused).toMatchObject({ ok: false, status: 503, problem: { code: 'unavailable' } });
    expect(errors[0]).toBeInstanceOf(RekeyApiError);
    expect(errors[0]).toMatchObject({ status: 403, code: 'forbidden' });

    const unreachable = createCredentialVerifier({
      url: 'http://127.0.0.1:9',
      adminToken: rekey.main.token,
      onError: (error) => errors.push(error),
    });
    expect(
      await unreachable.verify({
        method: 'GET',
        url: 'https://api.example/x',
        headers: { authorization: basic(apikey.id, apikey.secret) },
      }),
    ).toMatchObject({ ok: false, status: 503 });
  });

  it('sends sourceAddress by default, never with forwardSourceAddress: false', async () => {
    sent.length = 0;
    const request = {
      method: 'GET',
      url: 'https://api.example/x',
      headers: { authorization: basic(apikey.id, apikey.secret) },
      sourceAddress: '198.51.100.7',
    };
    expect(await verifier({ cacheTtlMs: 0 }).verify(request)).toMatchObject({ ok: true });
    expect(sent[0]).toMatchObject({ sourceAddress: '198.51.100.7' });
    expect(await verifier({ forwardSourceAddress: false, cacheTtlMs: 0 }).verify(request)).toMatchObject({ ok: true });
    expect(sent[1]).not.toHaveProperty('sourceAddress');
  });

  it('forwarded failures lock the end client, not this server', async () => {
    const created = await control.createClient({
      profile: 'apikey',
      name: 'Forwarded',
      maxFailedAttempts: 2,
      throttleFailuresPerMinute: 1000,
    });
    const v = verifier({ cacheTtlMs: 0 });
    const from = (sourceAddress: string, secret: string) =>
      v.verify({ method: 'GET', url: 'https://api.example/x', headers: { authorization: basic(created.id, secret) }, sourceAddress });
    // A well-formed secret of another key account: a wrong guess that counts.
    const wrong = apikey.secret;
    for (let i = 0; i < 2; i++) await from('203.0.113.50', wrong);
    expect(await from('203.0.113.50', created.secret!)).toMatchObject({ ok: false, status: 401, problem: { code: 'locked' } });
    expect(await from('203.0.113.51', created.secret!)).toMatchObject({ ok: true });
  });

  it('without credentials.verify.forwarded, tells onError once and verifies as this server', async () => {
    const token = await limitedToken(rekey, ['credentials.verify']);
    const errors: unknown[] = [];
    sent.length = 0;
    const v = createCredentialVerifier({
      url: rekey.url,
      adminToken: token,
      fetch: counting(),
      cacheTtlMs: 0,
      onError: (error) => errors.push(error),
    });
    const request = {
      method: 'GET',
      url: 'https://api.example/x',
      headers: { authorization: basic(apikey.id, apikey.secret) },
      sourceAddress: '198.51.100.9',
    };
    expect(await v.verify(request)).toMatchObject({ ok: true });
    expect(await v.verify(request)).toMatchObject({ ok: true });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RekeyApiError);
    expect((errors[0] as RekeyApiError).status).toBe(403);
    expect(sent.map((body) => body.sourceAddress)).toEqual(['198.51.100.9', undefined, undefined]);
  });

  it("refuses a cache longer than Rekey's revocation bound", () => {
    expect(() => createCredentialVerifier({ url: rekey.url, adminToken: 'x', cacheTtlMs: MAX_CACHE_TTL_MS + 1 })).toThrow(RangeError);
    expect(() => createCredentialVerifier({ url: rekey.url, adminToken: 'x', cacheTtlMs: -1 })).toThrow(RangeError);
  });
});
