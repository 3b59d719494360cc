import type { Account } from './account.js';
import type { ConsoleSession } from './console-session.js';
import type { AdminToken, Member } from './member.js';
import type { Role } from './permissions.js';

export interface ThrottleWindow {
  key: string;
  windowStart: number;
  failures: number;
}

/** Store port: accounts, members, roles, admin tokens, console sessions and sign-in throttles. */
export interface AccountsStore {
  countAccounts(): Promise<number>;
  insertAccount(account: Account): Promise<void>;
  getAccount(id: string): Promise<Account | null>;
  /** Serialises registrations, sandbox creation and refreshes of one account until the transaction ends. */
  lockAccount(accountId: string): Promise<void>;

  insertMember(member: Member): Promise<void>;
  updateMember(member: Member): Promise<void>;
  getMember(accountId: string, id: string): Promise<Member | null>;
  findMemberByEmail(accountId: string, email: string): Promise<Member | null>;
  listMembers(accountId: string): Promise<Member[]>;

  saveRole(role: Role): Promise<void>;
  deleteRole(accountId: string, name: string): Promise<void>;
  listRoles(accountId: string): Promise<Role[]>;

  insertAdminToken(token: AdminToken): Promise<void>;
  updateAdminToken(token: AdminToken): Promise<void>;
  findAdminTokenByHash(tokenHash: string): Promise<AdminToken | null>;
  getAdminToken(accountId: string, id: string): Promise<AdminToken | null>;
  listAdminTokens(accountId: string): Promise<AdminToken[]>;

  insertSession(session: ConsoleSession): Promise<void>;
  findSessionByTokenHash(tokenHash: string): Promise<ConsoleSession | null>;
  getSession(accountId: string, id: string): Promise<ConsoleSession | null>;
  listActiveSessions(accountId: string, memberId: string | null, now: number): Promise<ConsoleSession[]>;
  touchSession(id: string, at: number): Promise<void>;
  /** Ends sessions not yet ended: one, a member's, or (memberId null) the whole account's. Returns how many. */
  revokeSessions(
    accountId: string,
    scope: { sessionId?: string; memberId?: string; exceptSessionId?: string },
    at: number,
    reason: string,
  ): Promise<number>;

  readThrottles(keys: readonly string[]): Promise<ThrottleWindow[]>;
  /** Counts one failure in `key`'s window (a new window when the old one has passed); returns the window. */
  addThrottleFailure(key: string, now: number, windowMs: number): Promise<ThrottleWindow>;
  clearThrottle(key: string): Promise<void>;
}
