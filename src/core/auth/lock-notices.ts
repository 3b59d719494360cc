import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Store } from '../kernel/store.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import type { KeyAccountAttempt, KeyAccountDeps, LockOutcome } from './key-account-types.js';
import type { LockCounter, LockoutPolicy } from './lockout.js';

/** Every lock is audited (SPEC §4.5): which scope, after how many failures, the last failure and where from. */
export async function lockRecorded(
  deps: KeyAccountDeps,
  tx: Store,
  attempt: KeyAccountAttempt,
  policy: LockoutPolicy,
  scope: 'source' | 'keyAccount',
  counter: LockCounter,
  window?: { failures: number; sources: number },
): Promise<void> {
  const { client } = attempt.entry;
  const { context } = attempt;
  await recordAudit(deps, tx, {
    accountId: client.accountId,
    type: 'client.locked',
    actor: SYSTEM_ACTOR,
    clientId: client.id,
    versionId: attempt.versionId,
    data: {
      scope,
      lockScope: policy.lockScope,
      failedAttempts: counter.failedAttempts,
      lastFailure: attempt.verdict,
      address: context.address,
      ...(scope === 'source' ? { source: context.source } : {}),
      ...(window ? { sources: window.sources } : {}),
      ...(context.appId ? { appId: context.appId } : {}),
      ...(counter.lockedUntil !== null ? { lockedUntil: new Date(counter.lockedUntil).toISOString() } : {}),
    },
  });
}

/** Administrators hear of locks at most once per key account per window, however many sources lock. */
export async function lockNotified(
  deps: KeyAccountDeps,
  tx: Store,
  attempt: KeyAccountAttempt,
  policy: LockoutPolicy,
  locked: LockOutcome,
): Promise<void> {
  const { client } = attempt.entry;
  const { context, now } = attempt;
  if (!(await tx.claimLockNotice(client.id, now, now - policy.lockWindowSeconds * 1000))) return;
  const code = attempt.verdict;
  const counter = (locked.keyAccount ?? locked.source)!;
  const where = locked.keyAccount === null ? ` for source ${context.source}` : '';
  const after = locked.window
    ? `${locked.window.failures} failed attempts from ${locked.window.sources} sources`
    : `${counter.failedAttempts} failed attempts`;
  const tiered =
    policy.lockScope === 'tiered' && locked.keyAccount === null
      ? ` Other sources are unaffected; the whole key account locks after ${policy.accountLockFailures} failures from ${policy.accountLockSources} sources within ${policy.lockWindowSeconds} s.`
      : '';
  await notifyAdministrators(deps, tx, client.accountId, 'client.locked', {
    subject: `Key account ${client.name} locked`,
    text:
      `Key account ${client.id} (${client.name}) in account ${client.accountId} was locked${where} after ${after} (last: ${code}, from ${context.address}).` +
      (counter.lockedUntil !== null
        ? ` The lock ends at ${new Date(counter.lockedUntil).toISOString()}.`
        : ' It stays locked until an administrator unlocks it or regenerates its secret.') +
      tiered +
      ` Further locks within ${policy.lockWindowSeconds} s are audited without another notice.`,
    clientId: client.id,
  });
}
