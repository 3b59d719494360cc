import type { EventType } from '../audit/audit-event.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import type { WebhookEndpoint } from './notify-store.js';
import { requirePermission } from '../accounts/require-permission.js';

/** The events a webhook can receive (SPEC §10). */
export const WEBHOOK_EVENTS = [
  'registration.completed',
  'secret.regenerated',
  'client.reset',
  'secret.revoked',
  'secret.leaked',
  'client.locked',
  'secret.expiring',
  'rotation.upcoming',
  'rotation.due',
  'rotation.completed',
  'rotation.failed',
  'sandbox.refreshed',
  'bundle.reset',
  'audit.checkpoint',
] as const satisfies readonly EventType[];

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const MAX_WEBHOOKS_PER_ACCOUNT = 20;
export const MAX_WEBHOOK_URL_LENGTH = 2000;

export function isWebhookEvent(type: string): type is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(type);
}

/** Binds a signing secret's ciphertext to its endpoint. */
export function webhookSecretAad(endpointId: string): string {
  return `webhook\u0000${endpointId}`;
}

export interface WebhookView {
  id: string;
  url: string;
  events: EventType[];
  createdAt: string;
}

export function viewWebhook(endpoint: WebhookEndpoint): WebhookView {
  return { id: endpoint.id, url: endpoint.url, events: endpoint.events, createdAt: new Date(endpoint.createdAt).toISOString() };
}

/**
 * Checks the shape of a webhook URL: absolute http(s), no credentials, no fragment. Where it may
 * point (no loopback, private or link-local address unless allow-listed) is checked by the caller,
 * which resolves names; the domain does no network work.
 */
export function checkWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('/url', 'Must be an absolute http(s) URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('/url', 'Webhook URLs use http or https.');
  if (parsed.username !== '' || parsed.password !== '') throw invalid('/url', 'Webhook URLs may not carry a user name or password.');
  if (parsed.hash !== '') throw invalid('/url', 'Webhook URLs may not carry a fragment.');
  if (url.length > MAX_WEBHOOK_URL_LENGTH) throw invalid('/url', `Webhook URLs are at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  return parsed.toString();
}

/**
 * Registers a webhook endpoint. The `whsec_…` signing secret is in this response only; it is kept
 * encrypted because signing needs it (Standard Webhooks uses a shared secret).
 */
export async function createWebhook(
  deps: CoreDeps,
  caller: Caller,
  input: { url: string; events?: string[] },
): Promise<WebhookView & { secret: string }> {
  await requirePermission(deps, caller, 'accounts.manage', 'register a webhook');
  const url = checkWebhookUrl(input.url);
  const events = input.events ?? [...WEBHOOK_EVENTS];
  if (events.length === 0) throw invalid('/events', 'List at least one event, or leave the field out for all of them.');
  events.forEach((event, index) => {
    if (!isWebhookEvent(event)) throw invalid(`/events/${index}`, `Not a webhook event; choose from ${WEBHOOK_EVENTS.join(', ')}.`);
  });
  const secret = `whsec_${Buffer.from(deps.random.bytes(32)).toString('base64')}`;
  const id = newId('whk', deps.random);
  const endpoint: WebhookEndpoint = {
    id,
    accountId: caller.accountId,
    url,
    events: [...new Set(events)] as EventType[],
    secretCiphertext: deps.keyring.encrypt(secret, webhookSecretAad(id)),
    createdAt: deps.clock.now(),
  };
  await deps.store.transaction(async (tx) => {
    await tx.lockAccount(caller.accountId);
    if ((await tx.listWebhooks(caller.accountId)).length >= MAX_WEBHOOKS_PER_ACCOUNT) {
      throw new RekeyError('conflict', `An account registers at most ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks.`);
    }
    await tx.insertWebhook(endpoint);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'webhook.created',
      actor: caller.actor,
      data: { webhookId: id, url, events: endpoint.events },
    });
  });
  return { ...viewWebhook(endpoint), secret };
}

export async function listWebhooks(deps: CoreDeps, caller: Caller): Promise<{ items: WebhookView[] }> {
  await requirePermission(deps, caller, 'accounts.manage', 'list webhooks');
  return { items: (await deps.store.listWebhooks(caller.accountId)).map(viewWebhook) };
}

/** Removes an endpoint; messages still queued for it fail instead of being delivered. */
export async function deleteWebhook(deps: CoreDeps, caller: Caller, id: string): Promise<void> {
  await requirePermission(deps, caller, 'accounts.manage', 'remove a webhook');
  await deps.store.transaction(async (tx) => {
    const endpoint = await tx.getWebhook(id);
    if (!endpoint || endpoint.accountId !== caller.accountId) throw notFound('webhook', id);
    await tx.deleteWebhook(id);
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'webhook.deleted',
      actor: caller.actor,
      data: { webhookId: id, url: endpoint.url },
    });
  });
}
