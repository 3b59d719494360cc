import type { EventType } from '../audit/audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { newId } from '../kernel/new-id.js';
import type { OutboxMessage } from './outbox-message.js';
import { ADMINISTRATOR_ROLE } from '../accounts/permissions.js';
import type { Store } from '../kernel/store.js';

export interface NoticeContent {
  subject: string;
  text: string;
  clientId?: string;
  versionId?: string;
  /** Further non-secret facts of the event, in the email payload and the webhook's `data`. */
  details?: Record<string, unknown>;
}

function pending(
  deps: Pick<CoreDeps, 'clock' | 'random'>,
  accountId: string,
  type: EventType,
  channel: OutboxMessage['channel'],
  recipient: string,
  payload: Record<string, unknown>,
): OutboxMessage {
  const now = deps.clock.now();
  return {
    id: newId('msg', deps.random),
    accountId,
    type,
    channel,
    recipient,
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    lastError: null,
    createdAt: now,
    sentAt: null,
  };
}

/**
 * Queues the notices of an event, in the caller's transaction, so they exist exactly when the change
 * does (SPEC §10): an email to each administrator of the account (and to `alsoTo`, e.g. the member
 * who registered), and one message per webhook endpoint subscribed to the event. The payload names
 * account, client and version — never a secret. Returns how many emails were queued.
 */
export async function notifyAdministrators(
  deps: Pick<CoreDeps, 'clock' | 'random'>,
  store: Store,
  accountId: string,
  type: EventType,
  payload: NoticeContent,
  options: { alsoTo?: readonly string[] } = {},
): Promise<number> {
  const members = await store.listMembers(accountId);
  const recipients = new Set(
    members.filter((member) => member.removedAt === null && member.roles.includes(ADMINISTRATOR_ROLE)).map((member) => member.email),
  );
  for (const email of options.alsoTo ?? []) recipients.add(email.toLowerCase());
  for (const email of recipients) {
    await store.insertOutbox(pending(deps, accountId, type, 'email', email, { ...payload, accountId }));
  }
  for (const endpoint of await store.listWebhooks(accountId)) {
    if (!endpoint.events.includes(type)) continue;
    const data: Record<string, unknown> = { accountId, subject: payload.subject, text: payload.text };
    if (payload.clientId !== undefined) data.clientId = payload.clientId;
    if (payload.versionId !== undefined) data.versionId = payload.versionId;
    if (payload.details !== undefined) Object.assign(data, payload.details);
    await store.insertOutbox(pending(deps, accountId, type, 'webhook', endpoint.id, data));
  }
  return recipients.size;
}

/**
 * Queues one message per webhook endpoint of the account subscribed to `type`, in the caller's
 * transaction, with `data` as the payload (no email). Returns how many were queued.
 */
export async function notifyWebhooks(
  deps: Pick<CoreDeps, 'clock' | 'random'>,
  store: Store,
  accountId: string,
  type: EventType,
  data: Record<string, unknown>,
): Promise<number> {
  let queued = 0;
  for (const endpoint of await store.listWebhooks(accountId)) {
    if (!endpoint.events.includes(type)) continue;
    await store.insertOutbox(pending(deps, accountId, type, 'webhook', endpoint.id, { accountId, ...data }));
    queued++;
  }
  return queued;
}
