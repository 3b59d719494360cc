import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

describe.each(STORE_KINDS)('smoke (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('creates an oauth client and authenticates with Basic', async () => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'Partner' } });
    expect(created.status).toBe(201);
    const basic = Buffer.from(`${created.json.id}:${created.json.secret}`).toString('base64');
    const whoami = await rekey.request('GET', '/v1/whoami', { token: null, headers: { authorization: `Basic ${basic}` } });
    expect(whoami.status).toBe(200);
    expect(whoami.json).toMatchObject({ credentialType: 'basic', accountId: 'acme1', clientId: created.json.id, profile: 'oauth' });
  });
});
