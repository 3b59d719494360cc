import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRekey, type Rekey } from './support/harness.js';
import { startNode, stopAllNodes } from './support/rekey-nodes.js';
import { STORE_KINDS } from './support/stores.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const IN_FLIGHT = 50;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return performance.now() - started;
}

/** A webhook receiver that never answers its first delivery (so the sender keeps the message leased) and accepts the rest. */
async function startHoldingReceiver(): Promise<{
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; at: number }>;
  close(): Promise<void>;
}> {
  const received: Array<{ headers: IncomingHttpHeaders; at: number }> = [];
  const server: Server = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push({ headers: request.headers, at: performance.now() });
      if (received.length > 1) response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface HeldRequest {
  socket: Socket;
  rest: string;
  /** Resolves with everything the server sent once it closes the connection. */
  answered: Promise<string>;
}

/** Sends a request's headers and all of its body but the last byte, so the server holds it in flight. */
async function holdRequest(port: number, token: string, index: number): Promise<HeldRequest> {
  const body = JSON.stringify({ profile: 'apikey', name: `In flight ${index}` });
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk) => (received += String(chunk)));
  const answered = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.write(
    `POST /v1/clients HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, -1)}`,
  );
  return { socket, rest: body.slice(-1), answered };
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** SPEC §13: SIGTERM stops accepting, finishes requests in flight, hands outbox leases back, closes the store, exits 0. */
describe.each(STORE_KINDS)('graceful shutdown (%s)', (kind) => {
  let rekey: Rekey;
  let receiver: Awaited<ReturnType<typeof startHoldingReceiver>>;

  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_WEBHOOK_ALLOW: '127.0.0.1' } });
    receiver = await startHoldingReceiver();
  });
  afterAll(async () => {
    await stopAllNodes();
    await receiver?.close();
    await rekey?.close();
  });

  it(`SIGTERM with ${IN_FLIGHT} requests in flight: all complete, no new connection, exit 0; another node delivers the leased message`, async () => {
    // A lease far longer than the test: only a lease handed back lets another node deliver in time.
    const env = { ...rekey.env, REKEY_OUTBOX_LEASE_SECONDS: '600' };
    const nodeA = await startNode(env);
    const endpoint = await rekey.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/hooks`, events: ['secret.regenerated'] },
    });
    expect(endpoint.status, endpoint.text).toBe(201);
    const client = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Rotated before shutdown' } });
    expect((await rekey.request('POST', `/v1/clients/${client.json.id}/regenerate`, { body: {} })).status).toBe(200);
    // Node A leases the message and starts delivering it; the receiver holds the delivery open.
    await until(() => receiver.received.length >= 1, 10_000, 'node A to start delivering');
    const webhookId = receiver.received[0]!.headers['webhook-id'];
    expect(webhookId).toBeTruthy();
    const nodeB = await startNode(env);

    const held = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, index) => holdRequest(nodeA.port, rekey.main.token, index)));
    // Let node A parse every request's headers and start waiting for the body.
    await sleep(300);

    const signalledAt = performance.now();
    nodeA.child.kill('SIGTERM');
    while (!(await refusesConnections(nodeA.port))) {
      if (performance.now() - signalledAt > 3000) throw new Error('node A still accepts connections 3 s after SIGTERM');
      await sleep(10);
    }
    const refusedAfterMs = performance.now() - signalledAt;
    // The requests in flight are still being served: finish their bodies now.
    for (const request of held) request.socket.write(request.rest);
    const answers = await Promise.all(held.map((request) => request.answered));
    const statuses = answers.map((answer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
    expect(statuses).toEqual(Array.from({ length: IN_FLIGHT }, () => 201));
    for (const answer of answers) expect(answer).toMatch(/"secret":"/);

    const exit = await nodeA.exited;
    const exitedAfterMs = performance.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });

    // Node B delivers the message node A handed back (same webhook-id), long before the lease would end.
    const deliveredAfterMs = await until(() => receiver.received.length >= 2, 10_000, 'node B to deliver the released message');
    expect(receiver.received[1]!.headers['webhook-id']).toBe(webhookId);
    // (The same event's email waits for an SMTP server, which this test has none of.)
    const webhooks = async (): Promise<Array<{ status: string }>> =>
      (await rekey.runtime.core.store.listOutbox(rekey.main.accountId, { type: 'secret.regenerated', limit: 10 })).filter(
        (row) => row.channel === 'webhook',
      );
    let settled = await webhooks();
    for (let i = 0; i < 100 && !settled.every((row) => row.status === 'sent'); i++) {
      await sleep(50);
      settled = await webhooks();
    }
    expect(settled.map((row) => row.status)).toEqual(['sent']);
    await nodeB.kill();
    console.log(
      `graceful shutdown (${kind}): refused new connections ${refusedAfterMs.toFixed(0)} ms after SIGTERM; ` +
        `${IN_FLIGHT}/${IN_FLIGHT} in-flight requests answered 201; exit 0 after ${exitedAfterMs.toFixed(0)} ms; ` +
        `node B delivered the released message ${deliveredAfterMs.toFixed(0)} ms after node A exited`,
    );
  });
});
