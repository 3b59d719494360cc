import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warnExpiringSecrets } from '../src/core/notify/expiry-warnings.js';
import type { OutboxMessage } from '../src/core/notify/outbox-message.js';
import { webhookSecretAad } from '../src/core/notify/webhooks.js';
import { startOutboxWorker, type OutboxWorker } from '../src/mail/outbox-worker.js';
import { limitedToken } from './support/key-accounts.js';
import { startRekey, type Rekey } from './support/harness.js';
import {
  createWebhookReceiver,
  preparePortalMembers,
  register,
  waitFor,
  type ReceivedWebhook,
  type TestWebhookReceiver,
} from './support/portal.js';
import { STORE_KINDS } from './support/stores.js';

const FAST_RETRY = { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 1000 };

function headersOf(delivery: ReceivedWebhook): Record<string, string> {
  return {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  };
}

describe.each(STORE_KINDS)('signed webhooks (%s)', (kind) => {
  let rekey: Rekey;
  let guarded: Rekey;
  let receiver: TestWebhookReceiver;
  const workers: OutboxWorker[] = [];

  const outbox = (target: Rekey, accountId = 'acme1'): Promise<OutboxMessage[]> =>
    target.runtime.core.store.listOutbox(accountId, { limit: 500 });
  const at = (path: string) => receiver.received.filter((delivery) => delivery.path === path);
  const rotateOne = async (target: Rekey): Promise<{ clientId: string; versionId: string; secret: string }> => {
    const created = await target.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'hooked' } });
    const rotated = await target.request('POST', `/v1/clients/${created.json.id}/regenerate`, { body: {} });
    expect(rotated.status).toBe(200);
    return { clientId: created.json.id, versionId: rotated.json.versionId, secret: rotated.json.secret };
  };

  beforeAll(async () => {
    receiver = await createWebhookReceiver();
    rekey = await startRekey(kind, { env: { REKEY_WEBHOOK_ALLOW: '127.0.0.1' } });
    guarded = await startRekey(kind);
    await preparePortalMembers(rekey);
    for (const target of [rekey, guarded])
      workers.push(startOutboxWorker(target.runtime.core, target.config, { pollMs: 50, retry: FAST_RETRY }));
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await rekey.close();
    await guarded.close();
    await receiver.close();
  });

  it('registers an endpoint: the whsec_ secret once, then never; list, delete; other accounts get 404', async () => {
    const created = await rekey.request('POST', '/v1/webhooks', { body: { url: `${receiver.url}/scratch` } });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^whk_/),
      url: `${receiver.url}/scratch`,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(created.json.events).toContain('registration.completed');
    expect(created.headers.get('cache-control')).toBe('no-store');
    const listed = await rekey.request('GET', '/v1/webhooks');
    expect(listed.json.items).toEqual([
      { id: created.json.id, url: created.json.url, events: created.json.events, createdAt: created.json.createdAt },
    ]);
    expect(listed.text).not.toContain(created.json.secret);
    expect(JSON.stringify(await rekey.runtime.core.store.getWebhook(created.json.id))).not.toContain(created.json.secret);
    const audit = await rekey.request('GET', '/v1/audit?type=webhook.created');
    expect(JSON.stringify(audit.json)).not.toContain(created.json.secret);

    expect((await rekey.request('GET', '/v1/webhooks', { token: rekey.other.token })).json.items).toEqual([]);
    expect((await rekey.request('DELETE', `/v1/webhooks/${created.json.id}`, { token: rekey.other.token })).status).toBe(404);
    expect((await rekey.request('DELETE', `/v1/webhooks/${created.json.id}`)).status).toBe(204);
    expect((await rekey.request('DELETE', `/v1/webhooks/${created.json.id}`)).status).toBe(404);
    expect((await rekey.request('GET', '/v1/webhooks')).json.items).toEqual([]);
  });

  it('rejects bad input with 400 and callers without accounts.manage with 403', async () => {
    for (const body of [
      {},
      { url: 'not a url' },
      { url: 'ftp://127.0.0.1/x' },
      { url: `${receiver.url}/x`, events: [] },
      { url: `${receiver.url}/x`, events: ['auth.failed'] },
      { url: `${receiver.url}/x`, secret: 'whsec_mine' },
      { url: 'http://user:pass@127.0.0.1/x' },
    ]) {
      const response = await rekey.request('POST', '/v1/webhooks', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const limited = await limitedToken(rekey, ['credentials.manage']);
    expect((await rekey.request('POST', '/v1/webhooks', { token: limited, body: { url: `${receiver.url}/x` } })).status).toBe(403);
    expect((await rekey.request('GET', '/v1/webhooks')).json.items).toEqual([]);
  });

  it('delivers events signed with Standard Webhooks headers (checked by the standardwebhooks package); webhook-id is the outbox id', async () => {
    const all = await rekey.request('POST', '/v1/webhooks', { body: { url: `${receiver.url}/all` } });
    const onlyRegistration = await rekey.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/registration`, events: ['registration.completed'] },
    });
    const rotated = await rotateOne(rekey);
    const registered = await register(rekey);
    expect(registered.status).toBe(200);

    const deliveries = await waitFor('webhook deliveries', () =>
      at('/all').length >= 2 && at('/registration').length >= 1 ? at('/all') : null,
    );
    const verifier = new Webhook(all.json.secret);
    const events = deliveries.map((delivery) => ({
      delivery,
      payload: verifier.verify(delivery.body, headersOf(delivery)) as { type: string; timestamp: string; data: Record<string, unknown> },
    }));
    const regenerated = events.find((event) => event.payload.type === 'secret.regenerated')!;
    expect(regenerated.payload.data).toMatchObject({ accountId: 'acme1', clientId: rotated.clientId, versionId: rotated.versionId });
    expect(regenerated.delivery.body).not.toContain(rotated.secret);
    expect(regenerated.delivery.headers['content-type']).toBe('application/json');
    const completed = events.find((event) => event.payload.type === 'registration.completed')!;
    expect(completed.payload.data).toMatchObject({
      accountId: 'acme1',
      clientId: registered.json.clientId,
      versionId: registered.json.versionId,
    });
    expect(completed.delivery.body).not.toMatch(/rk_sec_/);

    // The filtered endpoint only gets what it asked for, signed with its own secret.
    const filtered = at('/registration');
    expect(filtered).toHaveLength(1);
    expect((new Webhook(onlyRegistration.json.secret).verify(filtered[0]!.body, headersOf(filtered[0]!)) as { type: string }).type).toBe(
      'registration.completed',
    );
    expect(() => verifier.verify(filtered[0]!.body, headersOf(filtered[0]!))).toThrow();

    const rows = (await outbox(rekey)).filter((message) => message.channel === 'webhook');
    for (const delivery of [...deliveries, ...filtered]) {
      const row = rows.find((message) => message.id === delivery.headers['webhook-id']);
      expect(row).toBeTruthy();
      expect(row!.recipient).toMatch(/^whk_/);
    }
    await waitFor('sent webhooks', async () =>
      (await outbox(rekey)).filter((message) => message.channel === 'webhook').every((message) => message.status === 'sent'),
    );
    const listed = await rekey.request('GET', '/v1/outbox?status=sent');
    expect(listed.json.items.some((item: { channel: string }) => item.channel === 'webhook')).toBe(true);
    for (const id of [all.json.id, onlyRegistration.json.id]) await rekey.request('DELETE', `/v1/webhooks/${id}`);
  });

  it('retries failures with back-off; every attempt carries the same webhook-id, so a receiver drops duplicates', async () => {
    const endpoint = await rekey.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/flaky`, events: ['secret.regenerated'] },
    });
    receiver.respond = (delivery) => (delivery.path === '/flaky' && at('/flaky').length <= 2 ? 503 : 204);
    try {
      const rotated = await rotateOne(rekey);
      const row = (await outbox(rekey)).find(
        (message) => message.channel === 'webhook' && message.payload.versionId === rotated.versionId,
      )!;
      await waitFor('the third attempt', async () => (await outbox(rekey)).find((message) => message.id === row.id)!.status === 'sent');
      const attempts = at('/flaky');
      expect(attempts).toHaveLength(3);
      expect(new Set(attempts.map((delivery) => delivery.headers['webhook-id']))).toEqual(new Set([row.id]));
      expect(new Set(attempts.map((delivery) => delivery.body)).size).toBe(1);
      const verifier = new Webhook(endpoint.json.secret);
      for (const delivery of attempts) expect(verifier.verify(delivery.body, headersOf(delivery))).toBeTruthy();
      const settled = (await outbox(rekey)).find((message) => message.id === row.id)!;
      expect(settled.attempts).toBe(3);
      // Back-off: each retry waited at least the base delay after the previous failure.
      expect(settled.sentAt! - settled.createdAt).toBeGreaterThanOrEqual(FAST_RETRY.baseDelayMs * 3);
    } finally {
      receiver.respond = () => 204;
      await rekey.request('DELETE', `/v1/webhooks/${endpoint.json.id}`);
    }
  });

  it('announces a secret about to expire once, by email and webhook', async () => {
    const endpoint = await rekey.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/expiring`, events: ['secret.expiring'] },
    });
    const created = await rekey.request('POST', '/v1/clients', {
      body: { profile: 'oauth', name: 'short-lived', expiresInSeconds: 3 * 86_400 },
    });
    const later = await rekey.request('POST', '/v1/clients', {
      body: { profile: 'oauth', name: 'long-lived', expiresInSeconds: 30 * 86_400 },
    });
    expect(await warnExpiringSecrets(rekey.runtime.core)).toBe(1);
    expect(await warnExpiringSecrets(rekey.runtime.core)).toBe(0);
    const queued = (await outbox(rekey)).filter((message) => message.type === 'secret.expiring');
    expect(queued.map((message) => message.channel).sort()).toEqual(['email', 'webhook']);
    expect(queued.every((message) => message.payload.versionId === created.json.versionId)).toBe(true);
    const delivery = await waitFor('the expiry webhook', () => at('/expiring')[0]);
    const payload = new Webhook(endpoint.json.secret).verify(delivery.body, headersOf(delivery)) as {
      type: string;
      data: { clientId: string };
    };
    expect(payload).toMatchObject({ type: 'secret.expiring', data: { clientId: created.json.id } });
    const audit = await rekey.request('GET', `/v1/audit?type=secret.expiring&clientId=${created.json.id}`);
    expect(audit.json.items).toHaveLength(1);
    // The other one is announced when it comes within the window.
    rekey.clock.advance(24 * 86_400 * 1000);
    expect(await warnExpiringSecrets(rekey.runtime.core)).toBe(1);
    expect((await rekey.request('GET', `/v1/audit?type=secret.expiring&clientId=${later.json.id}`)).json.items).toHaveLength(1);
    await rekey.request('DELETE', `/v1/webhooks/${endpoint.json.id}`);
  });

  it('does not follow redirects', async () => {
    const endpoint = await rekey.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/moved`, events: ['secret.regenerated'] },
    });
    receiver.respond = (delivery) => (delivery.path === '/moved' ? 302 : 204);
    try {
      const rotated = await rotateOne(rekey);
      const row = await waitFor('a refused redirect', async () =>
        (await outbox(rekey)).find(
          (message) => message.channel === 'webhook' && message.payload.versionId === rotated.versionId && message.attempts >= 1,
        ),
      );
      expect(row.status).toBe('pending');
      expect(row.lastError).toMatch(/redirects are not followed/);
    } finally {
      receiver.respond = () => 204;
      await rekey.request('DELETE', `/v1/webhooks/${endpoint.json.id}`);
    }
  });

  it('refuses a target on 127.0.0.1 (or any private, loopback or link-local address) without the allow-list', async () => {
    for (const url of [
      `${receiver.url}/hook`,
      'http://localhost:9/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9/hook',
      'http://192.168.0.10/',
      'http://[::ffff:127.0.0.1]/x',
    ]) {
      const refused = await guarded.request('POST', '/v1/webhooks', { token: guarded.main.token, body: { url } });
      expect(refused.status, url).toBe(400);
      expect(refused.json.errors[0].pointer).toBe('/url');
      expect(refused.json.detail).toMatch(/REKEY_WEBHOOK_ALLOW/);
    }
    expect((await guarded.request('GET', '/v1/webhooks', { token: guarded.main.token })).json.items).toEqual([]);

    // Checked again at delivery: an endpoint that points (or comes to point) at a private address is never called.
    const store = guarded.runtime.core.store;
    const id = 'whk_0000000000000000000001';
    await store.insertWebhook({
      id,
      accountId: 'acme1',
      url: `${receiver.url}/guarded`,
      events: ['secret.regenerated'],
      secretCiphertext: guarded.runtime.core.keyring.encrypt('whsec_AAAA', webhookSecretAad(id)),
      createdAt: Date.now(),
    });
    const rotated = await rotateOne(guarded);
    const row = await waitFor('the refused delivery', async () =>
      (await outbox(guarded)).find(
        (message) => message.channel === 'webhook' && message.payload.versionId === rotated.versionId && message.status === 'failed',
      ),
    );
    expect(row.lastError).toMatch(/REKEY_WEBHOOK_ALLOW/);
    expect(at('/guarded')).toEqual([]);
  });

  it('queues emails even with no SMTP configured: they wait without using up attempts', async () => {
    const rotated = await rotateOne(guarded);
    const email = await waitFor('a looked-at email', async () =>
      (await outbox(guarded)).find(
        (message) => message.channel === 'email' && message.payload.versionId === rotated.versionId && message.lastError !== null,
      ),
    );
    expect(email).toMatchObject({ status: 'pending', attempts: 0 });
    expect(email.lastError).toMatch(/REKEY_SMTP_URL/);
    expect(email.nextAttemptAt).toBeGreaterThan(Date.now());
  });
});
