import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14, finding 4: a request malformed at the HTTP level must not put its raw bytes — and so
// its Authorization header — in the log, even at trace; and its answer is a problem document.
const SECRET = 'rk_sec_ThisMustNeverBeLoggedAnywhere0123456789abcdefghij';

function sendRaw(url: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(raw));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe.each(STORE_KINDS)('no header value in any log (%s)', (kind) => {
  let rekey: Rekey;

  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('a malformed request at trace level: a 400 problem document, and the log holds no header value', async () => {
    const malformed = [
      `GET /v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET}\r\nThis line is no header\r\n\r\n`,
      `GET /v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${SECRET}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n`,
      `POST /v1/clients HTTP/1.1\r\nHost: x\r\nCookie: rekey_session=${SECRET}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    ];
    for (const raw of malformed) {
      const answer = await sendRaw(rekey.url, raw);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('application/problem+json');
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body).toMatchObject({ status: 400, code: 'invalid_request', type: '/problems/invalid_request' });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const leaked = rekey.logs.filter((line) => line.includes(SECRET) || line.includes('ThisMustNeverBeLogged'));
    expect(leaked).toEqual([]);
  });

  it('an error logged with a request attached prints no header', async () => {
    rekey.app.log.error({ req: { method: 'GET', url: '/x', headers: { authorization: `Bearer ${SECRET}` } } }, 'probe');
    const error = Object.assign(new Error('probe'), {
      rawPacket: Buffer.from(`Authorization: Bearer ${SECRET}`),
      headers: { authorization: SECRET },
    });
    rekey.app.log.error({ err: error }, 'probe');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rekey.logs.filter((line) => line.includes(SECRET))).toEqual([]);
  });
});
