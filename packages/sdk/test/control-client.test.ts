import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient, RekeyApiError, type ControlClient } from '@rekey/sdk';
import { startRekey, type Rekey } from '../../../test/support/harness.js';

const failure = (promise: Promise<unknown>): Promise<RekeyApiError> =>
  promise.then(
    () => {
      throw new Error('expected a RekeyApiError');
    },
    (error: unknown) => error as RekeyApiError,
  );
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('the control client (openapi-fetch, typed from the OpenAPI document)', () => {
  let rekey: Rekey;
  let control: ControlClient;
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    control = createControlClient({ url: `${rekey.url}/`, adminToken: rekey.main.token });
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('creates, reads, lists, regenerates (idempotently), revokes and deletes a client', async () => {
    const created = await control.createClient({ profile: 'apikey', name: 'Billing', maxFailedAttempts: 7 });
    expect(created).toMatchObject({
      profile: 'apikey',
      name: 'Billing',
      versionId: expect.stringMatching(/^ver_/),
      secret: expect.stringMatching(/^rk_/),
    });
    expect(await control.getClient(created.id)).toMatchObject({ id: created.id, maxFailedAttempts: 7 });
    expect(await control.getClient(created.id)).not.toHaveProperty('secret');
    const page = await control.listClients({ profile: 'apikey', limit: 1 });
    expect(page.items).toHaveLength(1);

    const first = await control.regenerate(created.id, { graceSeconds: 60 }, { idempotencyKey: 'sdk-test-rotation' });
    const again = await control.regenerate(created.id, { graceSeconds: 60 }, { idempotencyKey: 'sdk-test-rotation' });
    expect(again).toEqual(first);
    expect(first.oldSecretExpiresAt).toBeDefined();

    await control.revokeVersion(created.id, created.versionId);
    const verdict = await control.verify({
      method: 'GET',
      url: 'https://api.example/x',
      headers: { authorization: basic(created.id, created.secret!) },
    });
    expect(verdict).toMatchObject({ valid: false, code: 'revoked' });
    const current = await control.verify({
      method: 'GET',
      url: 'https://api.example/x',
      headers: { Authorization: basic(created.id, first.secret) },
    });
    expect(current).toMatchObject({ valid: true, code: 'ok', clientId: created.id, credentialType: 'basic' });

    await control.deleteClient(created.id);
    expect(await control.getClient(created.id)).toMatchObject({ state: 'deleted' });
  });

  it("throws RekeyApiError with the problem document's fields", async () => {
    const missing = await control.getClient('cli_nope').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(RekeyApiError);
    expect(missing).toMatchObject({
      name: 'RekeyApiError',
      status: 404,
      code: 'not_found',
      title: expect.any(String),
      detail: expect.any(String),
      type: '/problems/not_found',
      requestId: expect.any(String),
    });

    const invalid = await failure(control.createClient({ profile: 'apikey', name: '' }));
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(invalid.errors?.[0]?.pointer).toBe('/name');

    const unauthenticated = await failure(createControlClient({ url: rekey.url, adminToken: 'rk_adm_wrong' }).listClients());
    expect(unauthenticated).toMatchObject({ status: 401 });
    expect(unauthenticated.message).not.toContain('rk_adm_wrong');
  });

  it('exposes every operation of the document through `api`, and untyped calls through `call`', async () => {
    const { data, response } = await control.api.GET('/v1/audit', { params: { query: {} } });
    expect(response.status).toBe(200);
    expect((data as unknown as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const members = await control.call<{ items: unknown[] }>('GET', '/v1/members');
    expect(members.items.length).toBeGreaterThan(0);
    await expect(control.call('GET', '/v1/clients/cli_nope')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
