import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { OPENAPI_OPTIONS, ok } from '../src/http/openapi.js';
import { createResponseValidation, type ResponseMismatch } from '../src/http/response-validation.js';
import { ref } from '../src/http/response-schemas.js';

/** An app with the real document frame and routes whose answers do (or deliberately do not) match what they document. */
async function appWith(mismatches: ResponseMismatch[]) {
  const validation = createResponseValidation('unused', (mismatch) => mismatches.push(mismatch));
  const app = Fastify();
  await app.register(swagger, OPENAPI_OPTIONS);
  validation.install(app);
  const Thing = Type.Object({ id: Type.String(), count: Type.Integer() }, { additionalProperties: false });
  app.get('/things/:id', { config: { responses: ok(Thing) } }, async (request) => {
    const { id } = request.params as { id: string };
    if (id === 'right') return { id, count: 1 };
    if (id === 'extra') return { id, count: 1, secret: 'x' };
    if (id === 'wrong-type') return { id, count: 'one' };
    if (id === 'teapot') return { id, count: 1 };
    return { id };
  });
  app.get('/members/me', { config: { responses: ok(ref('Member')) } }, async () => ({ id: 'mem_1', email: 'a@b.example', roles: [] }));
  app.get('/html', { config: { responses: ok(Thing) } }, async (_request, reply) => reply.type('text/html').send('<p>hi</p>'));
  app.get('/empty', { config: { responses: ok(Thing) } }, async (_request, reply) => reply.code(200).send());
  app.get('/undocumented', { config: { responses: ok(Thing) } }, async (_request, reply) => reply.code(418).send({ id: 'x', count: 1 }));
  app.get('/hidden', { schema: { hide: true } }, async () => ({ anything: true }));
  await app.ready();
  return { app, validation };
}

describe('the response check used by the test suite', () => {
  it('reports a body that does not match its documented schema, an undocumented status, media type or body', async () => {
    const mismatches: ResponseMismatch[] = [];
    const { app } = await appWith(mismatches);
    const get = async (url: string) => (await app.inject({ method: 'GET', url })).statusCode;

    expect(await get('/things/right')).toBe(200);
    expect(await get('/hidden')).toBe(200);
    expect(mismatches).toEqual([]);

    await get('/things/missing');
    await get('/things/extra');
    await get('/things/wrong-type');
    await get('/members/me');
    await get('/html');
    await get('/empty');
    await get('/undocumented');
    expect(mismatches.map((m) => [m.path, m.status, m.problem])).toEqual([
      ['/things/:id', 200, expect.stringContaining("must have required property 'count'")],
      ['/things/:id', 200, expect.stringContaining('must NOT have additional properties')],
      ['/things/:id', 200, expect.stringContaining('/count must be integer')],
      // A component reference resolves against the document: createdAt is required by Member.
      ['/members/me', 200, expect.stringContaining("must have required property 'createdAt'")],
      ['/html', 200, expect.stringContaining('text/html is not documented for 200')],
      ['/empty', 200, expect.stringContaining('documented with a body')],
      ['/undocumented', 418, expect.stringContaining('status 418 is not documented')],
    ]);
    // Problem documents are checked too: a 404 from a route with a path id is documented.
    mismatches.length = 0;
    await app.close();
  });

  it('checks what the whoami fast path writes outside the framework', async () => {
    const mismatches: ResponseMismatch[] = [];
    const validation = createResponseValidation('unused', (mismatch) => mismatches.push(mismatch));
    const app = Fastify();
    await app.register(swagger, OPENAPI_OPTIONS);
    validation.install(app);
    app.get('/v1/whoami', { config: { responses: ok(ref('Identity')) } }, async () => ({}));
    await app.ready();

    const written: unknown[] = [];
    const res = {
      statusCode: 200,
      getHeader: () => undefined,
      writeHead(status: number, _headers?: unknown) {
        this.statusCode = status;
        return this;
      },
      end(chunk: unknown) {
        written.push(chunk);
        return this;
      },
    };
    const fastPath = validation.wrapFastPath(() => true);
    expect(fastPath({} as IncomingMessage, res as unknown as ServerResponse, () => undefined)).toBe(true);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ credentialType: 'basic', accountId: 'acme' }));
    expect(written).toHaveLength(1);
    expect(mismatches).toMatchObject([
      { path: '/v1/whoami', status: 200, problem: expect.stringContaining("required property 'clientId'") },
    ]);
    await app.close();
  });
});
