import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILURES_PER_EMAIL } from '../src/core/accounts/index.js';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14, finding 7 (SPEC §11): sign-in is throttled per (email, source) first and per email
// only at a far higher bar, so whoever knows an email cannot lock its member out from everywhere.
const ATTACKER = '127.0.0.2';
const MEMBER = '127.0.0.3';

function signInFrom(url: string, localAddress: string, body: unknown): Promise<{ status: number; json: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const request = httpRequest(
      `${url}/v1/sessions`,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (response) => {
        let answer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (answer += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: answer ? JSON.parse(answer) : {} }));
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

describe.each(STORE_KINDS)('sign-in throttle per (email, source) (%s)', (kind) => {
  let rekey: Rekey;
  const right = { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' };
  const wrong = { ...right, password: 'not it' };

  beforeAll(async () => {
    rekey = await startRekey(kind);
    expect((await rekey.request('PUT', '/v1/members/me/password', { body: { password: right.password } })).status).toBe(204);
  });
  afterAll(async () => {
    await rekey.close();
  });

  it("six wrong passwords from one source throttle that source only; the member's right password works from another", async () => {
    for (let i = 0; i < 5; i++) expect((await signInFrom(rekey.url, ATTACKER, wrong)).status).toBe(401);
    const throttled = await signInFrom(rekey.url, ATTACKER, right);
    expect(throttled).toMatchObject({ status: 429, json: { code: 'rate_limited' } });
    expect((await signInFrom(rekey.url, MEMBER, right)).status).toBe(201);
  });

  it('per email only at a far higher bar, across sources', async () => {
    expect(MAX_FAILURES_PER_EMAIL).toBeGreaterThanOrEqual(50);
    rekey.clock.advance(16 * 60 * 1000);
    // Spread over many loopback sources, each below its own (email, source) limit.
    let failures = 0;
    for (let source = 10; failures < MAX_FAILURES_PER_EMAIL; source++) {
      for (let i = 0; i < 4 && failures < MAX_FAILURES_PER_EMAIL; i++, failures++) {
        expect((await signInFrom(rekey.url, `127.0.1.${source}`, wrong)).status).toBe(401);
      }
    }
    expect((await signInFrom(rekey.url, MEMBER, right)).status).toBe(429);
  });
});
