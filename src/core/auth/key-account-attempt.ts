import type { AuthContext } from './auth-context.js';
import { fieldsOf } from '../credentials/client.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import type { CachedClient, CredentialCache } from './credential-cache.js';
import { RekeyError, type ErrorCode } from '../kernel/errors.js';
import {
  countsTowardLockout,
  isLockActive,
  lockoutPolicyOf,
  lockRuleOf,
  needsReset,
  throttleWindowOf,
  type LockCounter,
  type LockoutPolicy,
  type SourceLockout,
} from './lockout.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { recordAudit } from '../audit/record-audit.js';

export interface KeyAccountAttempt {
  entry: CachedClient;
  /** `ok`, or the failure the presented secret earned on its own (bad_secret, stale_secret, …). */
  verdict: 'ok' | ErrorCode;
  /** The version the secret matched, if any. */
  versionId: string | null;
  context: AuthContext;
  now: number;
}

/** Null: the secret's own verdict stands. Otherwise the error that replaces it (locked, rate_limited, …). */
export type KeyAccountDecision = RekeyError | null;

type Deps = Pick<CoreDeps, 'store' | 'clock' | 'random' | 'credentials' | 'keyring'>;

const LOCKED_MESSAGE =
  'This key account is locked after too many failed attempts. An administrator can unlock it or regenerate its secret.';
const SOURCE_LOCKED_MESSAGE =
  'This key account is locked for your address after too many failed attempts. An administrator can unlock it or regenerate its secret.';
const MAX_THROTTLE_HINTS = 10_000;

/**
 * Per-address locks of a cached key account, read once per cache entry: a lock written anywhere
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
 * The key-account rules of SPEC §4.5 around one attempt whose secret was already judged:
 * locks refuse everything (and count nothing); a success resets a non-zero counter; a failure is
 * throttled per (key account, address), attributed when stale, and counted with one atomic
 * conditional UPDATE that locks at the limit. Answers without a promise when nothing needs
 * reading or writing (the usual success).
 */
export function judgeKeyAccountAttempt(deps: Deps, attempt: KeyAccountAttempt): KeyAccountDecision | Promise<KeyAccountDecision> {
  const { entry, context } = attempt;
  const policy = lockoutPolicyOf(fieldsOf(entry.client, 'apikey') ?? {});
  if (policy.lockScope !== 'source') return judgeUnderLock(deps, attempt, policy, undefined);
  const known = sourceLocksRead.get(entry);
  if (known) return judgeUnderLock(deps, attempt, policy, known.get(context.address));
  return sourceLocksOf(deps, entry).then(
    (locks) => judgeUnderLock(deps, attempt, policy, locks.get(context.address)),
    () => unavailable(),
  );
}

function judgeUnderLock(
  deps: Deps,
  attempt: KeyAccountAttempt,
  policy: LockoutPolicy,
  sourceLock: SourceLockout | undefined,
): KeyAccountDecision | Promise<KeyAccountDecision> {
  const { entry, now } = attempt;
  const { client } = entry;
  if (policy.lockScope === 'source') {
    if (sourceLock && isLockActive(sourceLock, now)) return deny('locked', SOURCE_LOCKED_MESSAGE, { lockScope: 'source' });
  } else if (isLockActive(client, now)) {
    return deny('locked', LOCKED_MESSAGE);
  }

  if (attempt.verdict === 'ok') {
    const lock = policy.lockScope === 'source' ? sourceLock : client;
    if (lock && needsReset(lock)) return resetAfterSuccess(deps, attempt, policy).then(() => null);
    return null;
  }
  return failedAttempt(deps, attempt, policy);
}

/** A success clears the counter — a write only when there is something to clear. */
async function resetAfterSuccess(deps: Deps, attempt: KeyAccountAttempt, policy: LockoutPolicy): Promise<void> {
  const { client } = attempt.entry;
  try {
    await deps.store.transaction(async (tx) => {
      const done =
        policy.lockScope === 'source'
          ? await tx.resetSourceFailures(client.id, attempt.context.address, attempt.now)
          : await tx.resetFailedAttempts(client.id, attempt.now);
      if (done) await tx.recordChange(client.id, attempt.now);
    });
  } catch {
    // The attempt succeeded; a counter left standing is corrected by the next success.
  }
  // Either this node reset the counter or another already did: reload rather than retry the write.
  deps.credentials.invalidate(client.id);
}

type FailureResult = { kind: 'throttled' } | { kind: 'recorded' } | { kind: 'counted'; counter: LockCounter } | { kind: 'already_locked' };

async function failedAttempt(deps: Deps, attempt: KeyAccountAttempt, policy: LockoutPolicy): Promise<KeyAccountDecision> {
  const { entry, now, context, verdict, versionId } = attempt;
  const { client } = entry;
  const window = throttleWindowOf(now);
  const hints = hintsOf(deps.credentials);
  const hintKey = `${client.id}\n${context.address}`;
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
      const failures = await tx.countFailureInWindow(client.id, context.address, window.windowStart, policy.throttleFailuresPerMinute);
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
      const rule = lockRuleOf(policy, now);
      const counter =
        policy.lockScope === 'source'
          ? await tx.recordSourceFailure(client.id, context.address, rule)
          : await tx.recordFailedAttempt(client.id, rule);
      if (counter === null) return { kind: 'already_locked' };
      // Every node must see the new count (a success elsewhere must reset it) and, above all, the lock.
      await tx.recordChange(client.id, now);
      if (counter.lockedAt !== null) {
        const scope = policy.lockScope;
        await recordAudit(deps, tx, {
          accountId: client.accountId,
          type: 'client.locked',
          actor: SYSTEM_ACTOR,
          clientId: client.id,
          versionId,
          data: {
            scope,
            failedAttempts: counter.failedAttempts,
            lastFailure: code,
            address: context.address,
            ...(context.appId ? { appId: context.appId } : {}),
            ...(counter.lockedUntil !== null ? { lockedUntil: new Date(counter.lockedUntil).toISOString() } : {}),
          },
        });
        const where = scope === 'source' ? ` for address ${context.address}` : '';
        await notifyAdministrators(deps, tx, client.accountId, 'client.locked', {
          subject: `Key account ${client.name} locked`,
          text:
            `Key account ${client.id} (${client.name}) in account ${client.accountId} was locked${where} after ${counter.failedAttempts} failed attempts (last: ${code}, from ${context.address}).` +
            (counter.lockedUntil !== null
              ? ` The lock ends at ${new Date(counter.lockedUntil).toISOString()}.`
              : ' It stays locked until an administrator unlocks it or regenerates its secret.'),
          clientId: client.id,
        });
      }
      return { kind: 'counted', counter };
    });
  } catch {
    return unavailable();
  }

  switch (result.kind) {
    case 'throttled':
      rememberThrottle(hints, hintKey, window.windowEnd, now);
      return throttled();
    case 'recorded':
      return null;
    case 'already_locked':
      // Locked by another node since this one cached the key account.
      deps.credentials.invalidate(client.id);
      return deny(
        'locked',
        policy.lockScope === 'source' ? SOURCE_LOCKED_MESSAGE : LOCKED_MESSAGE,
        policy.lockScope === 'source' ? { lockScope: 'source' } : {},
      );
    case 'counted':
      deps.credentials.invalidate(client.id);
      if (result.counter.lockedAt !== null) {
        return deny(
          'locked',
          `This attempt failed (${code}) and locked the key account${policy.lockScope === 'source' ? ' for your address' : ''}. An administrator can unlock it or regenerate its secret.`,
          policy.lockScope === 'source' ? { lockScope: 'source' } : {},
        );
      }
      return null;
  }
}
