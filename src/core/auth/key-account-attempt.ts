import { fieldsOf } from '../credentials/client.js';
import type { CachedClient, CredentialCache } from './credential-cache.js';
import { RekeyError, type ErrorCode } from '../kernel/errors.js';
import {
  accountWindowRuleOf,
  countsTowardLockout,
  isLockActive,
  locksSources,
  lockoutPolicyOf,
  lockRuleOf,
  needsReset,
  sourceLockRuleOf,
  throttleWindowOf,
  type LockoutPolicy,
  type SourceLockout,
} from './lockout.js';
import type { KeyAccountAttempt, KeyAccountDecision, KeyAccountDeps as Deps, LockOutcome } from './key-account-types.js';
import { lockNotified, lockRecorded } from './lock-notices.js';

export type { KeyAccountAttempt, KeyAccountDecision } from './key-account-types.js';

const LOCKED_MESSAGE =
  'This key account is locked after too many failed attempts. An administrator can unlock it or regenerate its secret.';
const SOURCE_LOCKED_MESSAGE =
  'This key account is locked for your address after too many failed attempts. The lock ends by itself, or an administrator can unlock it or regenerate its secret.';
const MAX_THROTTLE_HINTS = 10_000;

/**
 * Per-source locks of a cached key account, read once per cache entry: a lock written anywhere
 * records a change, every node drops the entry, and the next use reads the locks afresh. So the
 * hot path stays in memory (SPEC §9) and all nodes agree within the change log's delay.
 */
const sourceLocks = new WeakMap<CachedClient, Promise<Map<string, SourceLockout>>>();
/** The same locks once read, for answering without waiting. */
const sourceLocksRead = new WeakMap<CachedClient, Map<string, SourceLockout>>();

/**
 * Addresses this node already saw throttled, until their window ends: once the store says "over
 * the limit", further failures in that minute are refused without a round trip.
 */
const throttleHints = new WeakMap<CredentialCache, Map<string, number>>();

function sourceLocksOf(deps: Deps, entry: CachedClient): Promise<Map<string, SourceLockout>> {
  let locks = sourceLocks.get(entry);
  if (!locks) {
    locks = deps.store.listSourceLockouts(entry.client.id).then((rows) => {
      const read = new Map(rows.map((row) => [row.address, row]));
      sourceLocksRead.set(entry, read);
      return read;
    });
    // A failed read is retried on the next attempt rather than remembered.
    locks.catch(() => sourceLocks.delete(entry));
    sourceLocks.set(entry, locks);
  }
  return locks;
}

function hintsOf(cache: CredentialCache): Map<string, number> {
  let hints = throttleHints.get(cache);
  if (!hints) {
    hints = new Map();
    throttleHints.set(cache, hints);
  }
  return hints;
}

function rememberThrottle(hints: Map<string, number>, key: string, until: number, now: number): void {
  if (hints.size >= MAX_THROTTLE_HINTS) {
    for (const [name, end] of hints) if (end <= now) hints.delete(name);
    if (hints.size >= MAX_THROTTLE_HINTS) hints.clear();
  }
  hints.set(key, until);
}

function deny(code: ErrorCode, message: string, fields: RekeyError['fields'] = {}): KeyAccountDecision {
  return new RekeyError(code, message, fields);
}

function unavailable(): KeyAccountDecision {
  return deny('unavailable', 'The credential store is unreachable; try again shortly.', { retryAfter: 1 });
}

/**
 * The key-account rules of SPEC §4.5 around one attempt whose secret was already judged: locks
 * refuse everything (and count nothing, except that under `tiered` a wrong guess from a locked
 * source still counts towards the key-account-wide lock); a success resets a non-zero counter; a
 * failure is throttled per (key account, source), attributed when stale, and counted with atomic
 * conditional writes that lock at the limit. Answers without a promise when nothing needs reading
 * or writing (the usual success).
 */
export function judgeKeyAccountAttempt(deps: Deps, attempt: KeyAccountAttempt): KeyAccountDecision | Promise<KeyAccountDecision> {
  const { entry, context } = attempt;
  const policy = lockoutPolicyOf(fieldsOf(entry.client, 'apikey') ?? {});
  if (!locksSources(policy)) return judgeUnderLock(deps, attempt, policy, undefined);
  const known = sourceLocksRead.get(entry);
  if (known) return judgeUnderLock(deps, attempt, policy, known.get(context.source));
  return sourceLocksOf(deps, entry).then(
    (locks) => judgeUnderLock(deps, attempt, policy, locks.get(context.source)),
    () => unavailable(),
  );
}

function sourceLocked(): KeyAccountDecision {
  return deny('locked', SOURCE_LOCKED_MESSAGE, { lockScope: 'source' });
}

function judgeUnderLock(
  deps: Deps,
  attempt: KeyAccountAttempt,
  policy: LockoutPolicy,
  sourceLock: SourceLockout | undefined,
): KeyAccountDecision | Promise<KeyAccountDecision> {
  const { entry, now } = attempt;
  const { client } = entry;
  if (policy.lockScope !== 'source' && isLockActive(client, now)) return deny('locked', LOCKED_MESSAGE);
  if (locksSources(policy) && sourceLock && isLockActive(sourceLock, now)) {
    // A locked source keeps guessing: under tiered its guesses still count towards the key account.
    if (policy.lockScope === 'tiered' && attempt.verdict !== 'ok' && countsTowardLockout(attempt.verdict, policy))
      return failedAttempt(deps, attempt, policy, true);
    return sourceLocked();
  }

  if (attempt.verdict === 'ok') {
    const reset =
      policy.lockScope === 'keyAccount'
        ? needsReset(client)
        : (sourceLock !== undefined && needsReset(sourceLock)) || (policy.lockScope === 'tiered' && needsReset(client));
    if (reset) return resetAfterSuccess(deps, attempt, policy).then(() => null);
    return null;
  }
  return failedAttempt(deps, attempt, policy, false);
}

/** A success clears the counter — a write only when there is something to clear. */
async function resetAfterSuccess(deps: Deps, attempt: KeyAccountAttempt, policy: LockoutPolicy): Promise<void> {
  const { client } = attempt.entry;
  try {
    await deps.store.transaction(async (tx) => {
      let done = false;
      if (locksSources(policy)) done = await tx.resetSourceFailures(client.id, attempt.context.source, attempt.now);
      // Under tiered the key account's own state changes only when a timed lock has lapsed.
      if (policy.lockScope !== 'source') done = (await tx.resetFailedAttempts(client.id, attempt.now)) || done;
      if (done) await tx.recordChange(client.id, attempt.now);
    });
  } catch {
    // The attempt succeeded; a counter left standing is corrected by the next success.
  }
  // Either this node reset the counter or another already did: reload rather than retry the write.
  deps.credentials.invalidate(client.id);
}

type FailureResult =
  | { kind: 'throttled' }
  | { kind: 'recorded' }
  | { kind: 'counted'; locked: LockOutcome }
  | { kind: 'already_locked'; scope: 'source' | 'keyAccount' };

async function failedAttempt(
  deps: Deps,
  attempt: KeyAccountAttempt,
  policy: LockoutPolicy,
  fromLockedSource: boolean,
): Promise<KeyAccountDecision> {
  const { entry, now, context, verdict, versionId } = attempt;
  const { client } = entry;
  const window = throttleWindowOf(now);
  const hints = hintsOf(deps.credentials);
  const hintKey = `${client.id}\n${context.source}`;
  const throttled = (): KeyAccountDecision =>
    deny('rate_limited', `Too many failed attempts for this key account from your address; retry in ${window.retryAfterSeconds} s.`, {
      retryAfter: window.retryAfterSeconds,
    });
  if ((hints.get(hintKey) ?? 0) > now) return throttled();

  const code = verdict as ErrorCode;
  const counts = countsTowardLockout(code, policy);
  let result: FailureResult;
  try {
    result = await deps.store.transaction(async (tx): Promise<FailureResult> => {
      const failures = await tx.countFailureInWindow(client.id, context.source, window.windowStart, policy.throttleFailuresPerMinute);
      if (failures === null) return { kind: 'throttled' };
      if (code === 'stale_secret' && versionId !== null) {
        await tx.recordStaleUse({
          clientId: client.id,
          versionId,
          appId: context.appId ?? null,
          userAgent: context.userAgent ?? null,
          address: context.address,
          at: now,
        });
      }
      if (!counts) return { kind: 'recorded' };
      const locked: LockOutcome = { source: null, keyAccount: null };
      let sourceWasLocked = fromLockedSource;
      if (policy.lockScope === 'keyAccount') {
        const counter = await tx.recordFailedAttempt(client.id, lockRuleOf(policy, now));
        if (counter === null) return { kind: 'already_locked', scope: 'keyAccount' };
        if (counter.lockedAt !== null) locked.keyAccount = counter;
      } else if (!fromLockedSource) {
        const counter = await tx.recordSourceFailure(client.id, context.source, sourceLockRuleOf(policy, now));
        // Locked by another node since this one read the locks.
        if (counter === null && policy.lockScope === 'source') return { kind: 'already_locked', scope: 'source' };
        if (counter === null) sourceWasLocked = true;
        else if (counter.lockedAt !== null) locked.source = counter;
      }
      if (policy.lockScope === 'tiered') {
        const counted = await tx.recordAccountWindowFailure(client.id, context.source, accountWindowRuleOf(policy, now));
        if (counted.locked !== null) {
          locked.keyAccount = counted.locked;
          locked.window = { failures: counted.failures, sources: counted.sources };
        }
      }
      // Every node must see the new count (a success elsewhere must reset it) and, above all, a lock.
      await tx.recordChange(client.id, now);
      if (locked.source !== null) await lockRecorded(deps, tx, attempt, policy, 'source', locked.source);
      if (locked.keyAccount !== null) await lockRecorded(deps, tx, attempt, policy, 'keyAccount', locked.keyAccount, locked.window);
      if (locked.source !== null || locked.keyAccount !== null) await lockNotified(deps, tx, attempt, policy, locked);
      if (sourceWasLocked && locked.keyAccount === null) return { kind: 'already_locked', scope: 'source' };
      return { kind: 'counted', locked };
    });
  } catch {
    return unavailable();
  }

  switch (result.kind) {
    case 'throttled':
      rememberThrottle(hints, hintKey, window.windowEnd, now);
      return throttled();
    case 'recorded':
      return fromLockedSource ? sourceLocked() : null;
    case 'already_locked':
      deps.credentials.invalidate(client.id);
      return result.scope === 'source' ? sourceLocked() : deny('locked', LOCKED_MESSAGE);
    case 'counted': {
      deps.credentials.invalidate(client.id);
      const { locked } = result;
      if (locked.keyAccount !== null)
        return deny(
          'locked',
          `This attempt failed (${code}) and locked the key account. An administrator can unlock it or regenerate its secret.`,
        );
      if (locked.source !== null)
        return deny(
          'locked',
          `This attempt failed (${code}) and locked the key account for your address. The lock ends by itself, or an administrator can unlock it or regenerate its secret.`,
          { lockScope: 'source' },
        );
      return null;
    }
  }
}
