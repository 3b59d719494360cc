import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedUrlVerifier, RekeyApiError } from '@rekey/sdk';
import { limitedToken } from '../../../test/support/key-accounts.js';
import { startRekey, type Rekey } from '../../../test/support/harness.js';
import { preparePortalMembers, register } from '../../../test/support/portal.js';

describe('createSignedUrlVerifier', () => {
  let rekey: Rekey;
  let signedUrl: string;
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    await preparePortalMembers(rekey);
    expect((await register(rekey)).status).toBe(200);
    const signed = await rekey.request('POST', '/v1/signed-urls', {
      body: { url: 'https://files.acme.test/q3.pdf?download=1', method: 'GET', ttlSeconds: 600 },
    });
    signedUrl = signed.json.url;
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('verifies through Rekey, caching valid answers for 1 s by default', async () => {
    let calls = 0;
    let clock = Date.now();
    const verifier = createSignedUrlVerifier({
      url: rekey.url,
      adminToken: rekey.main.token,
      now: () => clock,
      fetch: (input, init) => (calls++, fetch(input, init)),
    });
    expect(await verifier.verify(signedUrl)).toMatchObject({ valid: true, code: 'ok', accountId: 'acme1' });
    expect(await verifier.verify(signedUrl)).toMatchObject({ valid: true });
    expect(calls).toBe(1);
    clock += 1001;
    await verifier.verify(signedUrl);
    expect(calls).toBe(2);
    expect(await verifier.verify(signedUrl.replace('q3', 'q4'))).toEqual({ valid: false, code: 'bad_signature' });
    expect(await verifier.verify(signedUrl, 'PUT')).toEqual({ valid: false, code: 'bad_signature' });
  });

  it('throws RekeyApiError when Rekey refuses the call', async () => {
    const verifier = createSignedUrlVerifier({ url: rekey.url, adminToken: await limitedToken(rekey, ['credentials.read']) });
    const error = await verifier.verify(signedUrl).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RekeyApiError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
  });
});
