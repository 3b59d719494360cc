import type { Account } from '../accounts/account.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { Client, Profile } from '../credentials/client.js';
import type { AdminToken, Member } from '../accounts/member.js';
import type { OutboxMessage, OutboxStatus } from '../notify/outbox-message.js';
import type { Role } from '../accounts/permissions.js';
import type { SecretVersion } from '../credentials/secret-version.js';
import type { WrappedKeyMaterial } from './keyring.js';
import type { AppsStore } from '../apps/apps-store.js';
import type { OAuthStore } from '../oauth/oauth-store.js';
import type { PortalStore } from '../portal/portal-store.js';
import type { RegistrationStore } from '../portal/registration-store.js';
import type { TbaStore } from '../tba/tba-store.js';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface IdempotencyRecord {
  accountId: string;
  key: string;
  /** What the key was used for and with which body; a different request with the same key conflicts. */
  fingerprint: string;
  /** The response, encrypted under the data key. */
  responseCiphertext: string;
  createdAt: number;
  expiresAt: number;
}

export interface AuditFilter {
  type?: string;
  clientId?: string;
  since?: number;
  until?: number;
  cursor?: string;
  limit: number;
}

export interface UsageUpdate {
  versionId: string;
  count: number;
  lastUsedAt: number;
}

export interface FailureAggregate {
  accountId: string;
  clientId: string;
  versionId: string | null;
  code: string;
  minute: number;
  count: number;
}

/** One failed password check (SPEC §11), counted into the aggregated `signin.failed` event. */
export interface SignInFailure {
  accountId: string;
  /** The member the email named; null for an unknown email. */
  memberId: string | null;
  purpose: 'sign-in' | 'registration';
  minute: number;
}

export interface ChangeNotice {
  seq: number;
  clientId: string;
}

/**
 * The Store port: plain domain types in and out, nothing of a driver. One implementation per
 * database; both pass the same contract suite. Calls inside `transaction` see one snapshot and
 * commit together; a thrown error rolls everything back.
 */
export interface Store extends FoundationStore, TbaStore, AppsStore, OAuthStore, PortalStore, RegistrationStore {
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
}

/** Accounts, members, clients, secret versions, nonces, idempotency, audit, outbox, change log. */
export interface FoundationStore {
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;

  getKeyMaterial(): Promise<WrappedKeyMaterial | null>;
  saveKeyMaterial(wrapped: WrappedKeyMaterial, options: { replace: boolean }): Promise<void>;

  countAccounts(): Promise<number>;
  insertAccount(account: Account): Promise<void>;
  getAccount(id: string): Promise<Account | null>;

  insertMember(member: Member): Promise<void>;
  updateMember(member: Member): Promise<void>;
  getMember(accountId: string, id: string): Promise<Member | null>;
  listMembers(accountId: string): Promise<Member[]>;

  saveRole(role: Role): Promise<void>;
  deleteRole(accountId: string, name: string): Promise<void>;
  listRoles(accountId: string): Promise<Role[]>;

  insertAdminToken(token: AdminToken): Promise<void>;
  updateAdminToken(token: AdminToken): Promise<void>;
  findAdminTokenByHash(tokenHash: string): Promise<AdminToken | null>;
  getAdminToken(accountId: string, id: string): Promise<AdminToken | null>;
  listAdminTokens(accountId: string): Promise<AdminToken[]>;

  insertClient(client: Client): Promise<void>;
  updateClient(client: Client): Promise<void>;
  /** Serialises concurrent commands on one client until the transaction ends. */
  lockClient(id: string): Promise<void>;
  /** Data-plane lookup by id across accounts. */
  getClient(id: string): Promise<Client | null>;
  listClients(accountId: string, options: { profile?: Profile; cursor?: string; limit: number }): Promise<Page<Client>>;

  insertVersion(version: SecretVersion): Promise<void>;
  updateVersion(version: SecretVersion): Promise<void>;
  listVersions(clientId: string): Promise<SecretVersion[]>;
  applyUsage(updates: readonly UsageUpdate[]): Promise<void>;

  /** Records a nonce; false when it was already seen and has not expired. */
  claimNonce(scope: string, nonce: string, expiresAt: number, now: number): Promise<boolean>;
  /**
   * Deletes what can no longer matter at `now`: expired nonces, idempotency records and console
   * sessions, ended throttle windows, and per-address lockout rows quiet for a day (never a lock
   * without end).
   */
  purgeExpired(now: number): Promise<void>;

  getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores a response under its key; false when a live record for the key already exists. */
  insertIdempotency(record: IdempotencyRecord): Promise<boolean>;

  insertAuditEvent(event: AuditEvent): Promise<void>;
  addFailureAggregates(aggregates: readonly FailureAggregate[], newId: () => string): Promise<void>;
  addSignInFailure(failure: SignInFailure, newId: () => string): Promise<void>;
  listAuditEvents(accountId: string, filter: AuditFilter): Promise<Page<AuditEvent>>;

  insertOutbox(message: OutboxMessage): Promise<void>;
  listOutbox(accountId: string, filter: { type?: string; status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]>;

  /** Appends to the change log every node follows to drop cached credentials (SPEC §9). */
  recordChange(clientId: string, at: number): Promise<void>;
  changesSince(seq: number): Promise<ChangeNotice[]>;
  latestChange(): Promise<number>;

  close(): Promise<void>;
}
