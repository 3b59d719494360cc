import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient, MAX_CACHE_TTL_MS, signRequest, signedFetch, type ControlClient } from '@rekey/sdk';
import { startRekey, type Rekey } from '../../../../test/support/harness.js';
import { runExample, type Framework, type RunningExample } from './run-example.js';

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs packages/sdk/examples/<framework>.js against a real Rekey and checks what issue 16 asks of
 * every middleware: a good credential passes (the handler sees the identity), a bad one gets 401
 * with a problem document, a revoked one is refused within the documented bound.
 */
export function describeMiddlewareExample(framework: Framework): void {
  describe(`the ${framework} example`, () => {
    let rekey: Rekey;
    let control: ControlClient;
    let example: RunningExample;
    let apikey: { id: string; secret: string };

    beforeAll(async () => {
      rekey = await startRekey('sqlite');
      control = createControlClient({ url: rekey.url, adminToken: rekey.main.token });
      const created = await control.createClient({ profile: 'apikey', name: `${framework} caller` });
      apikey = { id: created.id, secret: created.secret! };
      example = await runExample(framework, { REKEY_URL: rekey.url, REKEY_ADMIN_TOKEN: rekey.main.token });
    });
    afterAll(async () => {
      await example?.stop();
      await rekey?.close();
    });

    it('lets a good credential through; the handler sees the identity (Basic key account, Bearer access token)', async () => {
      const response = await fetch(`${example.url}/api/hello`, { headers: { authorization: basic(apikey.id, apikey.secret) } });
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({
        hello: apikey.id,
        identity: { credentialType: 'basic', clientId: apikey.id, accountId: 'acme1', profile: 'apikey' },
      });

      const oauth = await control.createClient({ profile: 'oauth', name: `${framework} oauth`, allowedScopes: ['reports.read'] });
      const token = await fetch(`${rekey.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(oauth.id, oauth.secret!), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=reports.read',
      });
      const { access_token: accessToken } = (await token.json()) as { access_token: string };
      const bearer = await fetch(`${example.url}/api/hello`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(bearer.status).toBe(200);
      expect(await json(bearer)).toMatchObject({ identity: { credentialType: 'jwt', clientId: oauth.id, scope: 'reports.read' } });
    });

    it('lets a signed request with a body through, and refuses its replay', async () => {
      const integrator = await control.createClient({ profile: 'integrator', name: `${framework} integrator` });
      const credentials = { clientId: integrator.id, secret: integrator.secret! };
      const signed = await signedFetch(credentials, `${example.url}/api/echo`, { method: 'POST', body: '{"order":42}' });
      expect(signed.status).toBe(200);
      expect(await json(signed)).toMatchObject({
        identity: { credentialType: 'http_signature', clientId: integrator.id },
        body: { order: 42 },
      });

      const url = `${example.url}/api/echo`;
      const headers = { 'content-type': 'application/json' };
      const signature = await signRequest({
        method: 'POST',
        url,
        headers,
        body: '{"order":43}',
        keyId: credentials.clientId,
        secret: credentials.secret,
      });
      expect((await fetch(url, { method: 'POST', headers: { ...headers, ...signature }, body: '{"order":43}' })).status).toBe(200);
      const replay = await fetch(url, { method: 'POST', headers: { ...headers, ...signature }, body: '{"order":43}' });
      expect(replay.status).toBe(401);
      expect((await json(replay)).code).toBe('replayed_nonce');
      const tampered = await signRequest({
        method: 'POST',
        url,
        headers,
        body: '{"order":44}',
        keyId: credentials.clientId,
        secret: credentials.secret,
      });
      const digestMismatch = await fetch(url, { method: 'POST', headers: { ...headers, ...tampered }, body: '{"order":45}' });
      expect(digestMismatch.status).toBe(401);
      expect((await json(digestMismatch)).code).toBe('digest_mismatch');
    });

    it('answers a bad credential with 401, a problem document and a challenge', async () => {
      const wrong = await fetch(`${example.url}/api/hello`, {
        headers: { authorization: basic(apikey.id, `${apikey.secret.slice(0, -8)}AAAAAAAA`) },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(wrong.headers.get('www-authenticate')).toMatch(/Basic/);
      const problem = await json(wrong);
      expect(problem).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        type: expect.stringMatching(/\/problems\/(bad_secret|malformed_credential)$/),
      });
      expect(['bad_secret', 'malformed_credential']).toContain(problem.code);

      const none = await fetch(`${example.url}/api/hello`);
      expect(none.status).toBe(401);
      expect(await json(none)).toMatchObject({ status: 401, code: 'unauthenticated' });
    });

    it(`refuses a revoked credential within the documented bound (cache ≤ ${MAX_CACHE_TTL_MS} ms after Rekey refuses it)`, async () => {
      const hello = (secret: string): Promise<Response> =>
        fetch(`${example.url}/api/hello`, { headers: { authorization: basic(apikey.id, secret) } });
      expect((await hello(apikey.secret)).status).toBe(200);
      const rotated = await control.regenerate(apikey.id, { graceSeconds: 0 });
      // Poll: the bound is Rekey's (≤ 1 s on every node) plus the middleware's positive cache.
      let refused: Response | undefined;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const response = await hello(apikey.secret);
        if (response.status === 401) {
          refused = response;
          break;
        }
        expect(response.status).toBe(200);
        await sleep(50);
      }
      expect(refused, 'the old secret was still accepted after 15 s').toBeDefined();
      expect((await json(refused!)).code).toBe('stale_secret');
      expect((await hello(rotated.secret)).status).toBe(200);
      apikey = { id: apikey.id, secret: rotated.secret };
    });
  });
}
