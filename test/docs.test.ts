import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/core/audit/audit-event.js';
import { ERROR_CODES } from '../src/core/kernel/errors.js';
import { ERROR_CATALOGUE } from '../src/http/errors.js';
import { renderReference } from '../src/http/reference-doc.js';
import { startRekey, type Rekey } from './support/harness.js';

describe('documentation of codes and events', () => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('docs/errors-and-events.md is current (run `npm run docs` after adding a code or event)', () => {
    expect(readFileSync(new URL('../docs/errors-and-events.md', import.meta.url), 'utf8')).toBe(renderReference());
  });

  it('documents every error code with a non-trivial description and a served page', async () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_CATALOGUE[code].description.length, code).toBeGreaterThan(30);
      const page = await rekey.request('GET', `/problems/${code}`, { token: null, headers: { accept: 'application/json' } });
      expect(page.status, code).toBe(200);
      expect(page.json.code).toBe(code);
    }
    expect((await rekey.request('GET', '/problems/not_a_code', { token: null })).status).toBe(404);
  });

  it('documents every event type', () => {
    for (const [type, text] of Object.entries(EVENT_TYPES)) {
      expect(type).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(text.length, type).toBeGreaterThan(10);
    }
  });

  it('lists every code and event type in the OpenAPI document', async () => {
    const spec = await rekey.request('GET', '/openapi.json', { token: null });
    expect(spec.json.components.schemas.Problem.properties.code.enum).toEqual([...ERROR_CODES]);
    expect(spec.json.components.schemas.EventType.enum).toEqual(Object.keys(EVENT_TYPES));
  });

  it('serves the rendered reference at /docs', async () => {
    const docs = await rekey.request('GET', '/docs', { token: null });
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/v1/clients/{id}/regenerate');
  });

  it('every problem a route answers uses a documented code', async () => {
    const response = await rekey.request('GET', '/v1/clients/nope');
    expect(ERROR_CODES).toContain(response.json.code);
    expect(response.json.type).toBe(`/problems/${response.json.code}`);
  });
});
