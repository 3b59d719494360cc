import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthClient, introspect, issueToken } from './oauth2-helpers.js';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// One access-log line per request, at the level the route declares: changes at info; reads and the
// data plane's POST routes (token issuance, introspection, whoami) at debug.
function accessLines(rekey: Rekey, route: string): Array<{ level: number; status: number }> {
  return rekey.logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; route?: string; status: number })
    .filter((entry) => entry.msg === 'request' && entry.route === route);
}

const INFO = 30;
const DEBUG = 20;

describe.each(STORE_KINDS)('access-log levels (%s)', (kind) => {
  for (const level of ['info', 'debug'] as const) {
    describe(`REKEY_LOG_LEVEL=${level}`, () => {
      let rekey: Rekey;
      beforeAll(async () => {
        rekey = await startRekey(kind, { env: { REKEY_LOG_LEVEL: level } });
      });
      afterAll(async () => {
        await rekey.close();
      });

      it(level === 'info' ? 'logs changes only' : 'logs every request, data-plane POSTs and reads at debug', async () => {
        const client = await createOAuthClient(rekey, { allowedScopes: ['read'] });
        const token = await issueToken(rekey, client);
        expect((await introspect(rekey, client, token)).status).toBe(200);
        expect((await send(rekey.url, 'POST', '/v1/whoami', { token: null, headers: { authorization: `Bearer ${token}` } })).status).toBe(
          200,
        );
        expect((await rekey.request('GET', '/v1/clients')).status).toBe(200);

        expect(accessLines(rekey, '/v1/clients').map((line) => [line.level, line.status])).toEqual(
          level === 'info'
            ? [[INFO, 201]]
            : [
                [INFO, 201],
                [DEBUG, 200],
              ],
        );
        for (const route of ['/oauth/token', '/oauth/introspect', '/v1/whoami']) {
          expect(accessLines(rekey, route).map((line) => line.level)).toEqual(level === 'info' ? [] : [DEBUG]);
        }
      });
    });
  }
});
