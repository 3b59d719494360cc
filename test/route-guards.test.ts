import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

/**
 * Checks written once and run for every route the OpenAPI document lists: no credentials → 401 with
 * a challenge; another account's ids → 404 with no data; an id of any odd shape → 404, never 400.
 * New routes are covered as soon as they are registered.
 */

// Routes anyone may call without credentials (they authenticate through their body, or are public).
const PUBLIC = new Set(['POST /v1/sessions', 'POST /v1/register', 'GET /v1/first-run']);
// Routes whose path id is meant to name another account's resource.
const CROSS_ACCOUNT_BY_DESIGN = new Set(['POST /v1/bundles/{bundleId}/install']);

interface Operation {
  method: string;
  path: string;
}

function operationsOf(spec: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const method of Object.keys(methods)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) operations.push({ method: method.toUpperCase(), path });
    }
  }
  return operations;
}

describe.each(STORE_KINDS)('every route (%s)', (kind) => {
  let rekey: Rekey;
  let operations: Operation[];
  let foreignClientId: string;
  let foreignVersionId: string;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    const spec = await rekey.request('GET', '/openapi.json', { token: null });
    expect(spec.status).toBe(200);
    operations = operationsOf(spec.json);
    const foreign = await rekey.request('POST', '/v1/clients', { token: rekey.other.token, body: { profile: 'apikey', name: 'Theirs' } });
    foreignClientId = foreign.json.id;
    foreignVersionId = foreign.json.versionId;
  });
  afterAll(async () => {
    await rekey.close();
  });

  const fill = (path: string, id: string) =>
    path.replace(/\{versionId\}/g, foreignVersionId).replace(/\{[A-Za-z]+\}/g, encodeURIComponent(id));

  it('lists the control API in OpenAPI 3.1', async () => {
    const spec = await rekey.request('GET', '/openapi.json', { token: null });
    expect(spec.json.openapi).toBe('3.1.0');
    for (const expected of [
      'POST /v1/clients',
      'GET /v1/clients',
      'GET /v1/clients/{id}',
      'POST /v1/clients/{id}/regenerate',
      'DELETE /v1/clients/{id}',
      'GET /v1/whoami',
      'POST /v1/verify',
      'POST /v1/integrator/regenerate-secret',
      'GET /v1/audit',
    ]) {
      expect(operations.map((op) => `${op.method} ${op.path}`)).toContain(expected);
    }
  });

  it('answers 401 problem+json with a challenge when no credentials are sent', async () => {
    for (const op of operations.filter(
      (candidate) => candidate.path.startsWith('/v1/') && !PUBLIC.has(`${candidate.method} ${candidate.path}`),
    )) {
      const response = await rekey.request(op.method, fill(op.path, foreignClientId), {
        token: null,
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} }),
      });
      expect(response.status, `${op.method} ${op.path}`).toBe(401);
      expect(response.headers.get('www-authenticate'), `${op.method} ${op.path}`).toBeTruthy();
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.json).toMatchObject({ status: 401, realm: expect.any(String), scope: expect.any(String) });
    }
  });

  it('answers 401 malformed_credential for a token that is not ours', async () => {
    for (const op of operations.filter(
      (candidate) =>
        candidate.path.startsWith('/v1/') &&
        !PUBLIC.has(`${candidate.method} ${candidate.path}`) &&
        !candidate.path.startsWith('/v1/whoami') &&
        !candidate.path.startsWith('/v1/integrator') &&
        !candidate.path.startsWith('/v1/app/'),
    )) {
      const response = await rekey.request(op.method, fill(op.path, foreignClientId), {
        token: 'rk_adm_notAToken',
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} }),
      });
      expect(response.status, `${op.method} ${op.path}`).toBe(401);
      expect(response.json.code, `${op.method} ${op.path}`).toBe('malformed_credential');
    }
  });

  it("answers 404 for another account's ids and for ids of any shape, revealing nothing", async () => {
    const withIds = operations.filter(
      (op) => op.path.startsWith('/v1/') && op.path.includes('{') && !CROSS_ACCOUNT_BY_DESIGN.has(`${op.method} ${op.path}`),
    );
    expect(withIds.length).toBeGreaterThan(3);
    for (const op of withIds) {
      for (const id of [foreignClientId, 'cli_doesNotExist', 'x'.repeat(300), '..%2F..', '1']) {
        const response = await rekey.request(
          op.method,
          fill(op.path, id),
          op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} },
        );
        // A body the route finds invalid may be reported first; what must never happen is success or data.
        expect([404, 400], `${op.method} ${op.path} with ${id.slice(0, 20)}`).toContain(response.status);
        if (response.status === 400) continue;
        expect(response.json.code).toBe('not_found');
        expect(response.text).not.toContain('Theirs');
      }
    }
    // And the foreign client is untouched.
    const theirs = await rekey.request('GET', `/v1/clients/${foreignClientId}`, { token: rekey.other.token });
    expect(theirs.json.state).toBe('active');
    expect(theirs.json.versions).toHaveLength(1);
  });
});
