import { timingSafeEqual } from 'node:crypto';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { randomBase62 } from '../kernel/credential-format.js';
import { SESSION_TOUCH_MS, SESSION_TTL_MS, sessionVerdict, viewSession, type ConsoleSession, type SessionView } from './console-session.js';
import { RekeyError, notFound } from '../kernel/errors.js';
import type { Member } from './member.js';
import { newId } from '../kernel/new-id.js';
import { permissionsOfRoles } from './permissions.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from './require-permission.js';
import { SIGN_IN_WINDOW_MS, signInRetryAfterSeconds, signInThrottleKeys } from './sign-in-throttle.js';
import type { SignInFailure } from '../audit/audit-store.js';

/** The password hashing library, injected so the domain stays free of it. */
export interface PasswordVerifier {
  verify(stored: string, password: string): Promise<boolean>;
  /** A hash made with the same parameters as members' hashes, verified when there is no member. */
  dummyHash(): Promise<string>;
}

export interface SignInInput {
  accountId: string;
  email: string;
  password: string;
  address: string;
  userAgent?: string;
}

export interface SignedIn {
  session: ConsoleSession;
  /** The cookie value: returned once, stored only as a keyed hash. */
  cookieValue: string;
  csrfToken: string;
}

const COOKIE_VALUE_LENGTH = 43;
const COOKIE_VALUE_SHAPE = /^[0-9A-Za-z]{43}$/;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Sign-in (SPEC §11). Throttled per (email, address), per email and per address before any work; an unknown email runs the
 * same password-hash verification as a wrong password and gets the same answer. The hashing runs
 * outside any transaction.
 */
/**
 * The password check shared by sign-in and registration: throttled per (email, address), per email and per address,
 * the same hash work for an unknown email as for a wrong password, and one answer for both.
 * A success clears nothing by itself; the caller clears the email's counter in its transaction.
 */
export async function verifyMemberPassword(
  deps: CoreDeps,
  input: { accountId: string; email: string; password: string; address: string; purpose: SignInFailure['purpose'] },
  passwords: PasswordVerifier,
): Promise<{ member: Member; keys: ReturnType<typeof signInThrottleKeys> }> {
  const email = input.email.trim().toLowerCase();
  const keys = signInThrottleKeys(input.accountId, email, input.address);
  const retryAfter = signInRetryAfterSeconds(
    await deps.store.readThrottles([keys.emailAndAddress, keys.email, keys.address]),
    deps.clock.now(),
  );
  if (retryAfter > 0) throw new RekeyError('rate_limited', `Too many failed sign-ins; try again in ${retryAfter} s.`, { retryAfter });

  const member = await deps.store.findMemberByEmail(input.accountId, email);
  // An unknown email, or a member without a console password, costs one verification like any other.
  const stored = member?.passwordHash ?? (await passwords.dummyHash());
  const ok = await passwords.verify(stored, input.password);
  if (!ok || !member || member.passwordHash === null) {
    const now = deps.clock.now();
    await deps.store.addThrottleFailure(keys.emailAndAddress, now, SIGN_IN_WINDOW_MS);
    await deps.store.addThrottleFailure(keys.email, now, SIGN_IN_WINDOW_MS);
    await deps.store.addThrottleFailure(keys.address, now, SIGN_IN_WINDOW_MS);
    // Audited per existing account only: an attacker's made-up account ids leave no rows. The
    // account read happens for an unknown email and a wrong password alike.
    if (await deps.store.getAccount(input.accountId)) {
      const failure: SignInFailure = {
        accountId: input.accountId,
        memberId: member?.id ?? null,
        purpose: input.purpose,
        minute: now - (now % 60_000),
      };
      await deps.store.addSignInFailure(failure, () => newId('evt', deps.random));
    }
    throw new RekeyError('unauthenticated', 'The account, email or password is wrong.');
  }
  return { member, keys };
}

export async function signIn(deps: CoreDeps, input: SignInInput, passwords: PasswordVerifier): Promise<SignedIn> {
  const { member, keys } = await verifyMemberPassword(deps, { ...input, purpose: 'sign-in' }, passwords);

  const now = deps.clock.now();
  const cookieValue = randomBase62(deps.random, COOKIE_VALUE_LENGTH);
  const csrfToken = randomBase62(deps.random, COOKIE_VALUE_LENGTH);
  const session: ConsoleSession = {
    id: newId('ses', deps.random),
    accountId: member.accountId,
    memberId: member.id,
    tokenHash: deps.keyring.hash(cookieValue),
    csrfHash: deps.keyring.hash(csrfToken),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_TTL_MS,
    revokedAt: null,
    revokedReason: null,
    address: input.address,
    userAgent: input.userAgent?.slice(0, 500) ?? null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.clearThrottle(keys.emailAndAddress);
    await tx.clearThrottle(keys.email);
    await tx.insertSession(session);
    await recordAudit(deps, tx, {
      accountId: member.accountId,
      type: 'session.created',
      actor: { type: 'member', id: member.id, memberId: member.id },
      data: { sessionId: session.id, address: input.address },
    });
  });
  return { session, cookieValue, csrfToken };
}

function hashesMatch(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Resolves a session cookie to a caller with the member's live permissions. Unsafe methods need the
 * session's CSRF token in `X-CSRF-Token`.
 */
export async function authenticateSession(
  deps: CoreDeps,
  cookieValue: string,
  request: { method: string; csrfToken: string | undefined },
): Promise<Caller & { sessionId: string }> {
  if (!COOKIE_VALUE_SHAPE.test(cookieValue))
    throw new RekeyError('unauthenticated', 'The session cookie is not a Rekey session; sign in again.');
  const session = await deps.store.findSessionByTokenHash(deps.keyring.hash(cookieValue));
  if (!session) throw new RekeyError('unauthenticated', 'This session is not recognised; sign in again.');
  const now = deps.clock.now();
  const verdict = sessionVerdict(session, now);
  if (verdict === 'revoked')
    throw new RekeyError('session_revoked', 'This console session was ended; sign in again.', {
      reason: session.revokedReason ?? 'signed_out',
    });
  if (verdict === 'expired') throw new RekeyError('expired', 'This console session expired; sign in again.');
  const member = await deps.store.getMember(session.accountId, session.memberId);
  if (!member || member.removedAt !== null)
    throw new RekeyError('session_revoked', 'The member of this session was removed.', { reason: 'member_removed' });
  const actor = { type: 'session' as const, id: session.id, memberId: member.id };
  if (UNSAFE_METHODS.has(request.method.toUpperCase())) {
    if (request.csrfToken === undefined || !hashesMatch(deps.keyring.hash(request.csrfToken), session.csrfHash)) {
      await recordAudit(deps, deps.store, {
        accountId: session.accountId,
        type: 'permission.denied',
        actor,
        data: { action: `${request.method} without a valid X-CSRF-Token`, reason: 'csrf' },
      });
      throw new RekeyError('forbidden', "This request needs the session's CSRF token in the X-CSRF-Token header.", { reason: 'csrf' });
    }
  }
  if (now - session.lastSeenAt >= SESSION_TOUCH_MS) await deps.store.touchSession(session.id, now);
  const roles = await deps.store.listRoles(session.accountId);
  return {
    accountId: session.accountId,
    memberId: member.id,
    actor,
    permissions: permissionsOfRoles(member.roles, roles),
    sessionId: session.id,
  };
}

function currentSessionId(caller: Caller): string | null {
  return caller.actor.type === 'session' ? caller.actor.id : null;
}

/** The caller's own active sessions. */
export async function listOwnSessions(deps: CoreDeps, caller: Caller): Promise<SessionView[]> {
  const now = deps.clock.now();
  const sessions = await deps.store.listActiveSessions(caller.accountId, caller.memberId, now);
  return sessions
    .filter((session) => sessionVerdict(session, now) === 'ok')
    .map((session) => viewSession(session, currentSessionId(caller)));
}

/** Ends one of the caller's own sessions (`current` = the one making the call). */
export async function endOwnSession(deps: CoreDeps, caller: Caller, sessionId: string): Promise<void> {
  const id = sessionId === 'current' ? currentSessionId(caller) : sessionId;
  const session = id === null ? null : await deps.store.getSession(caller.accountId, id);
  if (!session || session.memberId !== caller.memberId) throw notFound('session', sessionId);
  if (session.revokedAt !== null) return;
  await deps.store.transaction(async (tx) => {
    await tx.revokeSessions(caller.accountId, { sessionId: session.id }, deps.clock.now(), 'signed_out');
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'session.revoked',
      actor: caller.actor,
      data: { sessionId: session.id, memberId: session.memberId, reason: 'signed_out' },
    });
  });
}

/** `POST /v1/sessions/revoke-all`: ends every console session of the account, the caller's included. */
export async function revokeAllSessions(deps: CoreDeps, caller: Caller): Promise<{ revoked: number }> {
  await requirePermission(deps, caller, 'members.manage', 'end every console session');
  const revoked = await deps.store.transaction(async (tx) => {
    const count = await tx.revokeSessions(caller.accountId, {}, deps.clock.now(), 'signed_out_by_admin');
    await recordAudit(deps, tx, {
      accountId: caller.accountId,
      type: 'session.revoked',
      actor: caller.actor,
      data: { scope: 'account', count, reason: 'signed_out_by_admin' },
    });
    return count;
  });
  return { revoked };
}
