import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeContentDigest, createControlClient, regenerateIntegratorSecret, RekeyApiError, signedFetch, signRequest } from '@rekey/sdk';
import { startRekey, type Rekey } from '../../../test/support/harness.js';

interface ProfileVector {
  name: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  keyId: string;
  secret: string;
  nonce: string;
  created: number;
  expires?: number;
  label: string;
  expected: { signatureInput: string; signature: string; contentDigest?: string };
}

const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/http-signature.json', import.meta.url), 'utf8')) as {
  profile: ProfileVector[];
};

describe('signRequest (RFC 9421 integrator profile, WebCrypto)', () => {
  it.each(vectors.profile.map((vector) => [vector.name, vector] as const))('reproduces the vector %s', async (_name, vector) => {
    const headers = await signRequest({
      method: vector.request.method,
      url: vector.request.url,
      headers: vector.request.headers,
      ...(vector.request.body !== undefined ? { body: vector.request.body } : {}),
      keyId: vector.keyId,
      secret: vector.secret,
      nonce: vector.nonce,
      created: vector.created,
      ...(vector.expires !== undefined ? { expires: vector.expires } : {}),
      label: vector.label,
    });
    expect(headers['signature-input']).toBe(vector.expected.signatureInput);
    expect(headers['signature']).toBe(vector.expected.signature);
    expect(headers['content-digest']).toBe(vector.expected.contentDigest);
  });

  it('computes RFC 9530 digests of strings and bytes alike', async () => {
    expect(await computeContentDigest('{"hello": "world"}\n')).toBe('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:');
    expect(await computeContentDigest(new TextEncoder().encode('{"hello": "world"}\n'))).toBe(
      'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:',
    );
  });

  it('refuses what it cannot sign: a body without Content-Type, a key id with a quote-breaking character, a bad label', async () => {
    const base = { method: 'POST', url: 'https://api.example/x', keyId: 'cli_x', secret: 'rk_sec_x' };
    await expect(signRequest({ ...base, headers: {}, body: '{}' })).rejects.toThrow(TypeError);
    await expect(signRequest({ ...base, headers: {}, keyId: 'cli_\u00e9' })).rejects.toThrow(TypeError);
    await expect(signRequest({ ...base, headers: {}, label: 'Sig 1' })).rejects.toThrow(TypeError);
    const escaped = await signRequest({ ...base, method: 'GET', headers: {}, keyId: 'a"b\\c', nonce: 'n' });
    expect(escaped['signature-input']).toContain('keyid="a\\"b\\\\c"');
  });
});

describe('signedFetch and regenerateIntegratorSecret against Rekey', () => {
  let rekey: Rekey;
  let credentials: { clientId: string; secret: string };
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    const created = await createControlClient({ url: rekey.url, adminToken: rekey.main.token }).createClient({
      profile: 'integrator',
      name: 'Signer',
    });
    credentials = { clientId: created.id, secret: created.secret! };
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('signs requests Rekey accepts, with and without a body', async () => {
    const get = await signedFetch(credentials, `${rekey.url}/v1/whoami?x=1#fragment`);
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ credentialType: 'http_signature', clientId: credentials.clientId });
    const post = await signedFetch(credentials, `${rekey.url}/v1/whoami`, { method: 'post', body: new TextEncoder().encode('{"a":1}') });
    expect(post.status).toBe(200);
  });

  it("rotates the integrator's own secret, and throws a typed error carrying the problem", async () => {
    const rotated = await regenerateIntegratorSecret(rekey.url, credentials, 60);
    expect(rotated.secret).toMatch(/^rk_sec_/);
    expect(Date.parse(rotated.oldSecretExpiresAt!)).toBeGreaterThan(Date.now());
    // The previous version may not rotate the integration (SPEC §5).
    const refused = await regenerateIntegratorSecret(rekey.url, credentials).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RekeyApiError);
    expect(refused).toMatchObject({ status: 401, code: expect.any(String), title: expect.any(String), requestId: expect.any(String) });
    const unknown = (await regenerateIntegratorSecret(rekey.url, { clientId: 'cli_doesNotExist000000000', secret: rotated.secret }).catch(
      (error: unknown) => error,
    )) as RekeyApiError;
    expect(unknown).toMatchObject({ status: 404, code: 'not_found' });
    expect(unknown.problem).toMatchObject({ resourceType: 'integrator', resourceId: 'cli_doesNotExist000000000' });
    const badInput = await signedFetch({ ...credentials, secret: rotated.secret }, `${rekey.url}/v1/integrator/regenerate-secret`, {
      method: 'POST',
      body: '{"oldSecretValidForSeconds":-1}',
    });
    expect(badInput.status).toBe(400);
  });
});
