import { validate } from '@readme/openapi-parser';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../web/src/api/schema.js';
import { createResponseCheck, type OpenApiDocument } from '../src/http/response-validation.js';
import { startRekey, type Rekey } from './support/harness.js';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }>;
}

describe('the OpenAPI document', () => {
  let rekey: Rekey;
  let document: { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    document = (await rekey.request('GET', '/openapi.json', { token: null })).json;
  }, 60_000);
  afterAll(async () => {
    await rekey.close();
  });

  it('validates with an OpenAPI parser', async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify(result.valid ? [] : result.errors, null, 1)).toBe(true);
  });

  it('documents every security scheme: admin token, session + CSRF, Basic, RFC 9421 signature, OAuth 1.0a', () => {
    expect(Object.keys(document.components.securitySchemes)).toEqual(
      expect.arrayContaining(['adminToken', 'session', 'csrf', 'basic', 'httpSignature', 'oauth1']),
    );
  });

  it('gives every operation a success response and problem responses referencing the shared Problem schema', () => {
    let operations = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations++;
        const statuses = Object.keys(operation.responses);
        expect(
          statuses.some((status) => status.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
        for (const status of statuses.filter((status) => /^[45]/.test(status))) {
          // The OAuth endpoints refuse as RFC 6749 §5.2 says; everything else with a problem document.
          const [mediaType, schema] = path.startsWith('/oauth/')
            ? ['application/json', '#/components/schemas/OAuthError']
            : ['application/problem+json', '#/components/schemas/Problem'];
          expect(operation.responses[status]!.content?.[mediaType]?.schema?.$ref, `${method} ${path} ${status}`).toBe(schema);
        }
        // Every success that has a body describes it; only 204 and the RFC 7009 revocation answer none.
        for (const status of statuses.filter((status) => status.startsWith('2'))) {
          const content = operation.responses[status]!.content;
          if (status === '204' || path === '/oauth/revoke') expect(content, `${method} ${path} ${status}`).toBeUndefined();
          else expect(Object.values(content ?? {})[0]?.schema, `${method} ${path} ${status}`).toBeDefined();
        }
        if (path.startsWith('/v1/clients')) expect(operation.security, `${method} ${path}`).toContainEqual({ adminToken: [] });
      }
    }
    expect(operations).toBeGreaterThan(40);
    expect(Object.keys(document.paths['/v1/clients']!.post!.responses)).toContain('201');
    expect(Object.keys(document.paths['/v1/clients/{id}']!.delete!.responses)).toContain('204');
    expect(Object.keys(document.paths['/v1/clients/{id}']!.delete!.responses)).not.toContain('200');
  });

  it('documents the success bodies of the main operations, with examples that match their schemas', () => {
    const check = createResponseCheck(document as OpenApiDocument);
    let examples = 0;
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods))
        for (const [status, response] of Object.entries(operation.responses))
          for (const [mediaType, media] of Object.entries(response.content ?? {})) {
            if (media.example === undefined) continue;
            examples++;
            const route = path.replace(/\{([^}]+)\}/g, ':$1');
            expect(
              check(method, route, Number(status), mediaType, JSON.stringify(media.example)),
              `${method} ${path} ${status}`,
            ).toBeNull();
          }
    expect(examples).toBeGreaterThan(40);
    const success = (path: string, method: string, status: string) =>
      document.paths[path]![method]!.responses[status]!.content!['application/json']!;
    expect(success('/v1/clients', 'post', '201').schema).toEqual({ $ref: '#/components/schemas/CreatedClient' });
    expect(success('/v1/clients/{id}/regenerate', 'post', '200').example).toMatchObject({ secret: expect.stringMatching(/^rk_sec_/) });
    expect(success('/v1/whoami', 'get', '200').schema).toEqual({ $ref: '#/components/schemas/Identity' });
    expect(success('/oauth/token', 'post', '200').example).toMatchObject({ token_type: 'Bearer' });
  });

  it('generates TypeScript with openapi-typescript, and an openapi-fetch client creates, regenerates and deletes a client', async () => {
    const generated = astToString(await openapiTS(structuredClone(document) as never));
    expect(generated).toContain('"/v1/clients/{id}/regenerate"');

    const api = createClient<paths>({ baseUrl: rekey.url, headers: { authorization: `Bearer ${rekey.main.token}` } });
    const created = await api.POST('/v1/clients', { body: { profile: 'apikey', name: 'Typed' } });
    expect(created.response.status).toBe(201);
    const id = (created.data as unknown as { id: string }).id;
    const regenerated = await api.POST('/v1/clients/{id}/regenerate', { params: { path: { id } }, body: { graceSeconds: 60 } });
    expect(regenerated.response.status).toBe(200);
    expect(regenerated.data).toMatchObject({ versionId: expect.any(String), secret: expect.any(String) });
    const deleted = await api.DELETE('/v1/clients/{id}', { params: { path: { id } } });
    expect(deleted.response.status).toBe(204);
    const gone = await api.GET('/v1/clients/{id}', { params: { path: { id } } });
    expect((gone.data as unknown as { state: string }).state).toBe('deleted');
  }, 60_000);
});
