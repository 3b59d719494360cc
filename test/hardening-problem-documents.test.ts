import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14, finding 6 (SPEC §5, §6): every error is a problem document — a path that does not
// decode, an id longer than any Rekey issues, a cursor Rekey did not write.
describe.each(STORE_KINDS)('errors outside the catalogue (%s)', (kind) => {
  let rekey: Rekey;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    for (const name of ['one', 'two', 'three']) {
      const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name } });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await rekey.close();
  });

  const expectProblem = (
    response: { status: number; headers: Headers; json: { code?: string; status?: number } },
    status: number,
    code: string,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({ status, code, type: `/problems/${code}` });
  };

  it('answers 404 not_found for a path with an escape that does not decode', async () => {
    for (const path of ['/v1/clients/%ZZ', '/v1/clients/cli_%ZZ/unlock', '/v1/clients/cli_%ED%A0%80', '/v1/clients/%']) {
      const response = await rekey.request(path.endsWith('unlock') ? 'POST' : 'GET', path, path.endsWith('unlock') ? { body: {} } : {});
      expectProblem(response, 404, 'not_found');
    }
  });

  it('answers 404 not_found for ids of any length', async () => {
    for (const length of [2047, 2048, 2049, 5000, 12000]) {
      const response = await rekey.request('GET', `/v1/clients/cli_${'a'.repeat(length)}`);
      expectProblem(response, 404, 'not_found');
    }
  });

  it('answers 400 invalid_request for a cursor Rekey did not issue, and pages with one it did', async () => {
    for (const cursor of ['garbage', 'W10', 'WyJhIiwxXQ', '%00', 'eyJ9']) {
      expectProblem(await rekey.request('GET', `/v1/clients?cursor=${cursor}`), 400, 'invalid_request');
      expectProblem(await rekey.request('GET', `/v1/audit?cursor=${cursor}`), 400, 'invalid_request');
    }
    const first = await rekey.request('GET', '/v1/clients?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await rekey.request('GET', `/v1/clients?limit=2&cursor=${first.json.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.json.items).toHaveLength(1);
  });
});
