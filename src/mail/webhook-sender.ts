import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedTarget } from './webhook-target.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export type DeliveryOutcome = { ok: true } | { ok: false; error: string; permanent?: boolean };

/**
 * POSTs a signed webhook to an already-checked target. The socket connects to the checked address
 * (the name is still sent as Host and TLS server name); redirects are not followed; the whole
 * exchange must finish within the timeout. Any 2xx is a delivery.
 */
export function postWebhook(
  target: ResolvedTarget,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs?: number } = {},
): Promise<DeliveryOutcome> {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: DeliveryOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = send(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Rekey-Webhooks/1',
          ...headers,
        },
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        // Drain a little of the body so the socket closes cleanly; its content does not matter.
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 64 * 1024) response.destroy();
        });
        response.on('error', () => undefined);
        const done = (): void => {
          if (status >= 200 && status < 300) finish({ ok: true });
          else if (status >= 300 && status < 400)
            finish({ ok: false, error: `The endpoint answered ${status}; redirects are not followed.` });
          else finish({ ok: false, error: `The endpoint answered ${status}.` });
        };
        response.on('end', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, error: `No answer within ${timeoutMs / 1000} s.` });
    }, timeoutMs);
    request.on('error', (error: Error) => finish({ ok: false, error: `Could not deliver: ${error.message}` }));
    request.end(body);
  });
}
