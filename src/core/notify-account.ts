import type { EventType } from './audit-event.js';
import type { CoreDeps } from './core-deps.js';
import { newId } from './new-id.js';
import { ADMINISTRATOR_ROLE } from './permissions.js';
import type { Store } from './store.js';

/**
 * Queues an email to each administrator of the account, in the caller's transaction, so the
 * notice exists exactly when the change does. The payload names account, client and version —
 * never a secret.
 */
export async function notifyAdministrators(
  deps: Pick<CoreDeps, 'clock' | 'random'>,
  store: Store,
  accountId: string,
  type: EventType,
  payload: { subject: string; text: string; clientId?: string; versionId?: string },
): Promise<number> {
  const now = deps.clock.now();
  const members = await store.listMembers(accountId);
  const administrators = members.filter((member) => member.removedAt === null && member.roles.includes(ADMINISTRATOR_ROLE));
  for (const member of administrators) {
    await store.insertOutbox({
      id: newId('msg', deps.random),
      accountId,
      type,
      channel: 'email',
      recipient: member.email,
      payload: { ...payload, accountId },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      lastError: null,
      createdAt: now,
      sentAt: null,
    });
  }
  return administrators.length;
}
