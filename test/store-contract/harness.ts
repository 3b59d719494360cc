import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Account } from '../../src/core/accounts/account.js';
import type { AuditEvent } from '../../src/core/audit/audit-event.js';
import type { Client } from '../../src/core/credentials/client.js';
import type { Member } from '../../src/core/accounts/member.js';
import type { OutboxMessage } from '../../src/core/notify/outbox-message.js';
import type { SecretVersion } from '../../src/core/credentials/secret-version.js';
import type { Store } from '../../src/core/kernel/store.js';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from '../support/stores.js';

/**
 * The one Store contract suite, cut by aggregate port like the Store itself: every
 * `test/store-contract/*.test.ts` runs its tests on both stores, through what this file shares.
 */

export const T0 = 1_700_000_000_000;
export const id = (prefix: string): string => `${prefix}_${randomBytes(9).toString('base64url')}`;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const account = (accountId: string): Account => ({
  id: accountId,
  name: `Account ${accountId}`,
  kind: 'production',
  parentId: null,
  settings: { maxGraceSeconds: 604_800 },
  createdAt: T0,
});
export const member = (accountId: string, overrides: Partial<Member> = {}): Member => ({
  id: id('mem'),
  accountId,
  email: `${randomBytes(4).toString('hex')}@example.test`,
  passwordHash: null,
  roles: ['Administrator'],
  createdAt: T0,
  removedAt: null,
  ...overrides,
});
export const client = (accountId: string, overrides: Partial<Pick<Client, keyof Client>> | Record<string, unknown> = {}): Client =>
  ({
    id: id('cli'),
    accountId,
    profile: 'apikey',
    name: 'Key',
    state: 'active',
    fields: {},
    consumerKey: null,
    failedAttempts: 0,
    lockedAt: null,
    lockedUntil: null,
    rotationPolicy: null,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    ...overrides,
  }) as Client;
export const version = (owner: Client, overrides: Partial<SecretVersion> = {}): SecretVersion => ({
  id: id('ver'),
  clientId: owner.id,
  accountId: owner.accountId,
  state: 'current',
  secretHash: randomBytes(32).toString('base64url'),
  secretCiphertext: null,
  createdAt: T0,
  expiresAt: null,
  graceUntil: null,
  retiredAt: null,
  revokedAt: null,
  lastUsedAt: null,
  useCount: 0,
  ...overrides,
});
export const outbox = (accountId: string, overrides: Partial<OutboxMessage> = {}): OutboxMessage => ({
  id: id('msg'),
  accountId,
  type: 'secret.regenerated',
  channel: 'email',
  recipient: 'admin@example.test',
  payload: { subject: 'hello' },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: T0,
  leaseUntil: null,
  lastError: null,
  createdAt: T0,
  sentAt: null,
  ...overrides,
});
export const auditEvent = (accountId: string, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: id('evt'),
  accountId,
  at: T0,
  type: 'secret.regenerated',
  actor: { type: 'system', id: 'rekey' },
  clientId: null,
  versionId: null,
  code: null,
  count: 1,
  data: {},
  ...overrides,
});

export async function open(kind: StoreKind, db: TestDatabase): Promise<Store> {
  return (await openStore(kind === 'sqlite' ? { kind, path: db.url } : { kind, url: db.url })).store;
}

/** The database a contract file's tests share, filled in before its first test. */
export interface ContractStores {
  db: TestDatabase;
  store: Store;
  /** A second, independent connection (pool) to the same database: another node. PostgreSQL only. */
  peer: Store | null;
}

/** The account every contract file's database starts with. */
export const accountId = 'acme1';

/** Opens a fresh database of `kind` before the calling file's tests and drops it after them. */
export function useContractStores(kind: StoreKind): ContractStores {
  const stores = { peer: null } as ContractStores;
  beforeAll(async () => {
    stores.db = await createTestDatabase(kind);
    stores.store = await open(kind, stores.db);
    // Two better-sqlite3 connections in one process would block each other's event loop while busy-waiting.
    if (kind === 'postgres') stores.peer = await open(kind, stores.db);
    await stores.store.insertAccount(account(accountId));
  });
  afterAll(async () => {
    await stores.peer?.close();
    await stores.store?.close();
    await stores.db?.drop();
  });
  return stores;
}

/** For tests that look at every account's rows (outbox leasing): a database of their own. */
export async function withFreshStores(kind: StoreKind, work: (store: Store, peer: Store | null) => Promise<void>): Promise<void> {
  const fresh = await createTestDatabase(kind);
  const first = await open(kind, fresh);
  const second = kind === 'postgres' ? await open(kind, fresh) : null;
  try {
    await work(first, second);
  } finally {
    await second?.close();
    await first.close();
    await fresh.drop();
  }
}
