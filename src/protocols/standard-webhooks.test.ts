import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './standard-webhooks.js';

const { vectors } = JSON.parse(readFileSync(new URL('../../test/vectors/standard-webhooks.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ secret: string; id: string; timestamp: number; body: string; signature: string }>;
};

describe('Standard Webhooks signatures', () => {
  it.each(vectors)('reproduces $id', (vector) => {
    const headers = signWebhook(vector.secret, vector.id, vector.timestamp, vector.body);
    expect(headers['webhook-signature']).toBe(vector.signature);
    expect(verifyWebhook(vector.secret, headers, vector.body, { nowSeconds: vector.timestamp })).toBe(true);
  });

  it('refuses a changed body, an old timestamp and a foreign secret', () => {
    const [vector] = vectors;
    const headers = signWebhook(vector!.secret, vector!.id, vector!.timestamp, vector!.body);
    expect(verifyWebhook(vector!.secret, headers, `${vector!.body} `, { nowSeconds: vector!.timestamp })).toBe(false);
    expect(verifyWebhook(vector!.secret, headers, vector!.body, { nowSeconds: vector!.timestamp + 301 })).toBe(false);
    expect(verifyWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', headers, vector!.body, { nowSeconds: vector!.timestamp })).toBe(false);
    expect(
      verifyWebhook(vector!.secret, { ...headers, 'webhook-signature': `v0,x ${headers['webhook-signature']}` }, vector!.body, {
        nowSeconds: vector!.timestamp,
      }),
    ).toBe(true);
  });
});
