import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdOf } from '../src/core/notify/outbox-delivery.js';
import type { OutboxMessage } from '../src/core/notify/outbox-message.js';
import { startOutboxWorker, type OutboxWorker } from '../src/mail/outbox-worker.js';
import { BIN } from './support/cli.js';
import { freePort, startRekey, type Rekey } from './support/harness.js';
import {
  createTestSmtpServer,
  portalAppCredentials,
  preparePortalMembers,
  register,
  waitFor,
  type TestSmtpServer,
} from './support/portal.js';
import { startServerProcess } from './support/server-process.js';
import { STORE_KINDS } from './support/stores.js';

const FAST_RETRY = { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 1000 };

describe.each(STORE_KINDS)('outbox email delivery over real SMTP (%s)', (kind) => {
  let rekey: Rekey;
  let smtp: TestSmtpServer;
  let worker: OutboxWorker | null = null;

  const outbox = (): Promise<OutboxMessage[]> => rekey.runtime.core.store.listOutbox('acme1', { limit: 200 });
  const outboxRow = async (id: string): Promise<OutboxMessage> => (await outbox()).find((message) => message.id === id)!;
  const received = (id: string) => smtp.received.filter((mail) => mail.messageId === messageIdOf(id));
  /** Regenerates a fresh oauth client: exactly one email (to the one Administrator). Returns its outbox id. */
  const queueOne = async (): Promise<string> => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'mailer' } });
    const rotated = await rekey.request('POST', `/v1/clients/${created.json.id}/regenerate`, { body: {} });
    const message = (await outbox()).find((candidate) => candidate.payload.versionId === rotated.json.versionId);
    expect(message?.recipient).toBe('admin@acme.test');
    return message!.id;
  };

  beforeAll(async () => {
    smtp = await createTestSmtpServer();
    await smtp.start();
    rekey = await startRekey(kind, { env: { REKEY_SMTP_URL: smtp.url } });
    await preparePortalMembers(rekey);
    worker = startOutboxWorker(rekey.runtime.core, rekey.config, { pollMs: 50, retry: FAST_RETRY });
  });
  afterAll(async () => {
    await worker?.stop();
    await rekey.close();
    await smtp.stop();
  });

  it('delivers the registration email naming the account, the client and the version — never the secret', async () => {
    const registered = await register(rekey);
    expect(registered.status).toBe(200);
    const queued = (await outbox()).filter((message) => message.type === 'registration.completed');
    expect(queued).toHaveLength(2);
    const mails = await waitFor('both confirmation emails', () => {
      const got = queued.flatMap((message) => received(message.id));
      return got.length === 2 ? got : null;
    });
    const portal = await portalAppCredentials(rekey);
    expect(mails.flatMap((mail) => mail.to).sort()).toEqual(['admin@acme.test', 'portal@acme.test']);
    for (const mail of mails) {
      expect(mail.subject).toBe('Portal registration completed for account acme1');
      expect(mail.text).toContain('acme1');
      expect(mail.text).toContain(registered.json.clientId);
      expect(mail.text).toContain(registered.json.versionId);
      expect(mail.raw).not.toContain(portal.value);
      expect(mail.raw).not.toMatch(/rk_(sec|adm|app|tok)_[0-9A-Za-z]{49}/);
    }
    await waitFor('sent status', async () =>
      (await Promise.all(queued.map((message) => outboxRow(message.id)))).every((row) => row.status === 'sent'),
    );
    const listed = await rekey.request('GET', '/v1/outbox?type=registration.completed&status=sent');
    expect(listed.json.items).toHaveLength(2);
    expect(listed.json.items[0]).toMatchObject({ channel: 'email', status: 'sent', attempts: 1 });
  });

  it('with SMTP down for a while and then up, every message arrives, once, with its stable Message-ID', async () => {
    await smtp.stop();
    const ids = [await queueOne(), await queueOne(), await queueOne()];
    await waitFor('failed attempts while SMTP is down', async () => {
      const rows = await Promise.all(ids.map(outboxRow));
      return rows.every((row) => row.status === 'pending' && row.attempts >= 2 && row.lastError !== null);
    });
    expect(ids.flatMap(received)).toEqual([]);
    const listed = await rekey.request('GET', '/v1/outbox?status=pending');
    expect(
      listed.json.items
        .filter((item: { id: string }) => ids.includes(item.id))
        .every((item: { lastError?: string }) => typeof item.lastError === 'string'),
    ).toBe(true);

    await smtp.start();
    await waitFor('every message after SMTP came back', async () =>
      (await Promise.all(ids.map(outboxRow))).every((row) => row.status === 'sent'),
    );
    for (const id of ids) {
      expect(received(id)).toHaveLength(1);
      expect(received(id)[0]!.messageId).toBe(`<${id}@rekey.outbox>`);
    }
  });

  it('a lost acknowledgement is retried: the duplicate carries the same Message-ID', async () => {
    smtp.ackLossOnFirstDelivery = true;
    try {
      const id = await queueOne();
      await waitFor('the retried delivery', async () => (await outboxRow(id)).status === 'sent');
      const copies = received(id);
      expect(copies).toHaveLength(2);
      expect(new Set(copies.map((mail) => mail.messageId))).toEqual(new Set([messageIdOf(id)]));
      expect(copies[0]!.text).toBe(copies[1]!.text);
      expect((await outboxRow(id)).attempts).toBe(2);
    } finally {
      smtp.ackLossOnFirstDelivery = false;
    }
  });

  it('a kill between send and mark-sent loses nothing: the restarted server sends it again with the same Message-ID', async () => {
    await worker!.stop();
    worker = null;
    const id = await queueOne();
    const env = { ...process.env, ...rekey.env, REKEY_HOST: '127.0.0.1', REKEY_SMTP_URL: smtp.url, REKEY_OUTBOX_LEASE_SECONDS: '1' };

    // First server: dies (SIGKILL) right after the SMTP server accepted the message.
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...env, REKEY_PORT: String(await freePort()), REKEY_FAULT: 'after-send' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`rekey serve with REKEY_FAULT=after-send did not die:\n${output}`));
      }, 20_000);
      child.once('exit', (_code, exitSignal) => {
        clearTimeout(timer);
        resolve(exitSignal);
      });
    });
    expect(signal, output).toBe('SIGKILL');
    expect(received(id)).toHaveLength(1);
    const unmarked = await outboxRow(id);
    expect(unmarked.status).toBe('pending');
    expect(unmarked.sentAt).toBeNull();

    // Restarted without the fault: once the dead node's lease ends, the message goes out again.
    const server = await startServerProcess({ ...rekey.env, REKEY_SMTP_URL: smtp.url, REKEY_OUTBOX_LEASE_SECONDS: '1' });
    try {
      await waitFor('redelivery by the restarted server', async () => (await outboxRow(id)).status === 'sent', 20_000);
    } finally {
      await server.stop();
    }
    const copies = received(id);
    expect(copies).toHaveLength(2);
    expect(copies.map((mail) => mail.messageId)).toEqual([messageIdOf(id), messageIdOf(id)]);
  });
});
