/** A signed-in console session (SPEC §11): server-side; the cookie holds only a random handle. */
export interface ConsoleSession {
  id: string;
  accountId: string;
  memberId: string;
  /** Pepper-keyed hash of the cookie value; the value itself is never stored. */
  tokenHash: string;
  /** Pepper-keyed hash of the CSRF token the console echoes in `X-CSRF-Token`. */
  csrfHash: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** `signed_out`, `signed_out_by_admin`, `member_removed`, `password_changed`. */
  revokedReason: string | null;
  address: string;
  userAgent: string | null;
}

/** Absolute lifetime of a session. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;
/** A session unused for this long ends. */
export const SESSION_IDLE_MS = 2 * 3600 * 1000;
/** `lastSeenAt` is written at most this often, so browsing costs no write per request. */
export const SESSION_TOUCH_MS = 60 * 1000;

export interface SessionView {
  id: string;
  memberId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  address: string;
  userAgent?: string;
  current: boolean;
}

export function viewSession(session: ConsoleSession, currentId: string | null): SessionView {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const view: SessionView = {
    id: session.id,
    memberId: session.memberId,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(Math.min(session.expiresAt, session.lastSeenAt + SESSION_IDLE_MS)),
    address: session.address,
    current: session.id === currentId,
  };
  if (session.userAgent !== null) view.userAgent = session.userAgent;
  return view;
}

/** Whether a session still authenticates at `now`, and if not, why. */
export function sessionVerdict(session: ConsoleSession, now: number): 'ok' | 'revoked' | 'expired' {
  if (session.revokedAt !== null) return 'revoked';
  if (session.expiresAt <= now || session.lastSeenAt + SESSION_IDLE_MS <= now) return 'expired';
  return 'ok';
}
