import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedFetch } from '@rekey/sdk';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14, finding 3: the "signed with the current version" check must hold inside the
// regenerate transaction, so concurrent self-rotations with one secret rotate exactly once.
describe.each(STORE_KINDS)('integrator self-rotation race (%s)', (kind) => {
  let rekey: Rekey;

  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('twenty concurrent self-rotations signed with one secret: exactly one 200, the rest stale_secret', async () => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'integrator', name: 'Racing integration' } });
    expect(created.status).toBe(201);
    const credentials = { clientId: created.json.id as string, secret: created.json.secret as string };
    const url = `${rekey.url}/v1/integrator/regenerate-secret`;

    const responses = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const response = await signedFetch(credentials, url, { method: 'POST', body: '{}' });
        return { status: response.status, json: JSON.parse(await response.text()) };
      }),
    );

    const succeeded = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status !== 200);
    expect(succeeded).toHaveLength(1);
    for (const response of refused) expect(response).toMatchObject({ status: 401, json: { code: 'stale_secret' } });

    const after = await rekey.request('GET', `/v1/clients/${credentials.clientId}`);
    const versions = after.json.versions as Array<{ state: string }>;
    expect(versions).toHaveLength(2);
    expect(versions.filter((version) => version.state === 'current')).toHaveLength(1);

    // The one new secret works; the old one does not.
    const whoami = await signedFetch({ ...credentials, secret: succeeded[0]!.json.secret }, `${rekey.url}/v1/whoami`);
    expect(whoami.status).toBe(200);
  });
});
