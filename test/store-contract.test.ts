import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../src/core/accounts/account.js';
import type { AuditEvent } from '../src/core/audit/audit-event.js';
import type { Client } from '../src/core/credentials/client.js';
import { RekeyError } from '../src/core/kernel/errors.js';
import type { AdminToken, Member } from '../src/core/accounts/member.js';
import type { OutboxMessage } from '../src/core/notify/outbox-message.js';
import type { SecretVersion } from '../src/core/credentials/secret-version.js';
import type { Store } from '../src/core/kernel/store.js';
import { openStore } from '../src/store/open-store.js';
import { CHANGE_CHANNEL } from '../src/store/postgres/postgres-change-listener.js';
import { createTestDatabase, STORE_KINDS, TEST_DATABASE_URL, type StoreKind, type TestDatabase } from './support/stores.js';

const T0 = 1_700_000_000_000;
const id = (prefix: string): string => `${prefix}_${randomBytes(9).toString('base64url')}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const account = (accountId: string): Account => ({ id: accountId, name: `Account ${accountId}`, kind: 'production', parentId: null, settings: { maxGraceSeconds: 604_800 }, createdAt: T0 });
const member = (accountId: string, overrides: Partial<Member> = {}): Member => ({
  id: id('mem'), accountId, email: `${randomBytes(4).toString('hex')}@example.test`, passwordHash: null, roles: ['Administrator'], createdAt: T0, removedAt: null, ...overrides,
});
const client = (accountId: string, overrides: Partial<Pick<Client, keyof Client>> | Record<string, unknown> = {}): Client => ({
  id: id('cli'), accountId, profile: 'apikey', name: 'Key', state: 'active', fields: {}, consumerKey: null, failedAttempts: 0, lockedAt: null, lockedUntil: null,
  createdAt: T0, updatedAt: T0, deletedAt: null, ...overrides,
}) as Client;
const version = (owner: Client, overrides: Partial<SecretVersion> = {}): SecretVersion => ({
  id: id('ver'), clientId: owner.id, accountId: owner.accountId, state: 'current', secretHash: randomBytes(32).toString('base64url'), secretCiphertext: null,
  createdAt: T0, expiresAt: null, graceUntil: null, retiredAt: null, revokedAt: null, lastUsedAt: null, useCount: 0, ...overrides,
});
const outbox = (accountId: string, overrides: Partial<OutboxMessage> = {}): OutboxMessage => ({
  id: id('msg'), accountId, type: 'secret.regenerated', channel: 'email', recipient: 'admin@example.test', payload: { subject: 'hello' }, status: 'pending',
  attempts: 0, nextAttemptAt: T0, leaseUntil: null, lastError: null, createdAt: T0, sentAt: null, ...overrides,
});
const auditEvent = (accountId: string, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: id('evt'), accountId, at: T0, type: 'secret.regenerated', actor: { type: 'system', id: 'rekey' }, clientId: null, versionId: null, code: null, count: 1, data: {}, ...overrides,
});

async function open(kind: StoreKind, db: TestDatabase): Promise<Store> {
  return (await openStore(kind === 'sqlite' ? { kind, path: db.url } : { kind, url: db.url })).store;
}

describe.each(STORE_KINDS)('Store contract (%s)', (kind) => {
  let db: TestDatabase;
  let store: Store;
  /** A second, independent connection (pool) to the same database: another node. PostgreSQL only. */
  let peer: Store | null = null;
  const accountId = 'acme1';

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    store = await open(kind, db);
    // Two better-sqlite3 connections in one process would block each other's event loop while busy-waiting.
    if (kind === 'postgres') peer = await open(kind, db);
    await store.insertAccount(account(accountId));
  });
  afterAll(async () => {
    await peer?.close();
    await store?.close();
    await db?.drop();
  });

  it('stores accounts, members, roles and admin tokens', async () => {
    expect(await store.countAccounts()).toBeGreaterThanOrEqual(1);
    expect(await store.getAccount(accountId)).toEqual(account(accountId));
    expect(await store.getAccount('nobody')).toBeNull();

    const alice = member(accountId);
    await store.insertMember(alice);
    expect(await store.getMember(accountId, alice.id)).toEqual(alice);
    expect(await store.getMember('other', alice.id)).toBeNull();
    const changed = { ...alice, roles: ['Auditor'], removedAt: T0 + 5 };
    await store.updateMember(changed);
    expect(await store.getMember(accountId, alice.id)).toEqual(changed);
    expect((await store.listMembers(accountId)).map((m) => m.id)).toContain(alice.id);

    await store.saveRole({ accountId, name: 'Auditor', permissions: ['audit.read'], createdAt: T0 });
    await store.saveRole({ accountId, name: 'Auditor', permissions: ['audit.read', 'credentials.read'], createdAt: T0 + 1 });
    expect((await store.listRoles(accountId)).find((role) => role.name === 'Auditor')?.permissions).toEqual(['audit.read', 'credentials.read']);
    await store.deleteRole(accountId, 'Auditor');
    expect((await store.listRoles(accountId)).find((role) => role.name === 'Auditor')).toBeUndefined();

    const token: AdminToken = { id: id('adm'), accountId, memberId: alice.id, name: 'ci', tokenHash: randomBytes(32).toString('base64url'), permissions: ['credentials.read'], createdAt: T0, expiresAt: null, revokedAt: null, lastUsedAt: null };
    await store.insertAdminToken(token);
    expect(await store.findAdminTokenByHash(token.tokenHash)).toEqual(token);
    expect(await store.getAdminToken(accountId, token.id)).toEqual(token);
    expect(await store.getAdminToken('other', token.id)).toBeNull();
    const revoked = { ...token, revokedAt: T0 + 9, lastUsedAt: T0 + 8 };
    await store.updateAdminToken(revoked);
    expect(await store.findAdminTokenByHash(token.tokenHash)).toEqual(revoked);
    expect((await store.listAdminTokens(accountId)).map((t) => t.id)).toContain(token.id);
  });

  it('stores clients and pages through them in a stable order', async () => {
    const pageAccount = `pages${kind}`;
    await store.insertAccount(account(pageAccount));
    const made: Client[] = [];
    for (let i = 0; i < 7; i++) {
      const item = client(pageAccount, { createdAt: T0 + (i % 3), profile: i % 2 === 0 ? 'apikey' : 'oauth', fields: { allowedScopes: [`s${i}`] } });
      await store.insertClient(item);
      made.push(item);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listClients(pageAccount, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = [...made].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((c) => c.id);
    expect(seen).toEqual(expected);
    const oauthOnly = await store.listClients(pageAccount, { profile: 'oauth', limit: 50 });
    expect(oauthOnly.items.every((c) => c.profile === 'oauth')).toBe(true);
    expect(oauthOnly.items).toHaveLength(3);

    const first = made[0]!;
    expect(await store.getClient(first.id)).toEqual(first);
    const locked = { ...first, failedAttempts: 5, lockedAt: T0 + 1, name: 'Renamed', updatedAt: T0 + 1 };
    await store.updateClient(locked);
    expect(await store.getClient(first.id)).toEqual(locked);
    expect(await store.getClient('cli_missing')).toBeNull();
  });

  it('stores secret versions and applies batched usage', async () => {
    const owner = client(accountId);
    await store.insertClient(owner);
    const older = version(owner, { state: 'previous', graceUntil: T0 + 1000, createdAt: T0 });
    const newer = version(owner, { createdAt: T0 + 1, secretCiphertext: 'ciphertext' });
    await store.insertVersion(newer);
    await store.insertVersion(older);
    expect((await store.listVersions(owner.id)).map((v) => v.id)).toEqual([older.id, newer.id]);
    await store.updateVersion({ ...older, state: 'retired', retiredAt: T0 + 2, graceUntil: null });
    await store.applyUsage([{ versionId: newer.id, count: 3, lastUsedAt: T0 + 50 }]);
    await store.applyUsage([{ versionId: newer.id, count: 2, lastUsedAt: T0 + 40 }]);
    const [retired, current] = await store.listVersions(owner.id);
    expect(retired).toMatchObject({ state: 'retired', retiredAt: T0 + 2, graceUntil: null });
    expect(current).toMatchObject({ useCount: 5, lastUsedAt: T0 + 50, secretCiphertext: 'ciphertext' });
  });

  it('claims a nonce once, across connections, and lets an expired one be reused', async () => {
    const scope = id('scope');
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => ((i % 2 === 1 && peer) ? peer : store).claimNonce(scope, 'n1', T0 + 300_000, T0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimNonce(scope, 'n1', T0 + 300_000, T0 + 1000)).toBe(false);
    expect(await store.claimNonce(scope, 'n1', T0 + 900_000, T0 + 300_000)).toBe(true);
    expect(await store.claimNonce(scope, 'n2', T0 + 10, T0)).toBe(true);
    await store.purgeExpired(T0 + 20);
    expect(await store.claimNonce(scope, 'n2', T0 + 30, T0 + 21)).toBe(true);
  });

  it('keeps idempotency records until they expire', async () => {
    const record = { accountId, key: id('key'), fingerprint: 'f1', responseCiphertext: 'c1', createdAt: T0, expiresAt: T0 + 1000 };
    expect(await store.getIdempotency(accountId, record.key)).toBeNull();
    await store.insertIdempotency(record);
    expect(await store.getIdempotency(accountId, record.key)).toEqual(record);
    expect(await store.getIdempotency('other', record.key)).toBeNull();
    await store.purgeExpired(T0 + 999);
    expect(await store.getIdempotency(accountId, record.key)).not.toBeNull();
    await store.purgeExpired(T0 + 1000);
    expect(await store.getIdempotency(accountId, record.key)).toBeNull();
  });

  it('purges ended throttle windows, expired sessions and quiet per-address lockout rows, and nothing live', async () => {
    const client = id('cli');
    const later = T0 + 10 * 86_400_000;
    // Failure windows: the count restarts only once the window has ended and been purged.
    const windowStart = later - (later % 60_000);
    expect(await store.countFailureInWindow(client, '10.0.0.1', windowStart, 100)).toBe(1);
    await store.purgeExpired(windowStart + 59_999);
    expect(await store.countFailureInWindow(client, '10.0.0.1', windowStart, 100)).toBe(2);
    await store.purgeExpired(windowStart + 60_000);
    expect(await store.countFailureInWindow(client, '10.0.0.1', windowStart, 100)).toBe(1);

    const throttleKey = `email:${id('who')}@example.test`;
    await store.addThrottleFailure(throttleKey, later, 900_000);
    await store.purgeExpired(later + 899_999);
    expect(await store.readThrottles([throttleKey])).toHaveLength(1);
    await store.purgeExpired(later + 900_000);
    expect(await store.readThrottles([throttleKey])).toHaveLength(0);

    const session = { id: id('ses'), accountId, memberId: 'mem_x', tokenHash: id('tok'), csrfHash: 'c', createdAt: later, lastSeenAt: later, expiresAt: later + 1000, revokedAt: null, revokedReason: null, address: '10.0.0.1', userAgent: null };
    await store.insertSession(session);
    await store.purgeExpired(later + 999);
    expect(await store.getSession(accountId, session.id)).not.toBeNull();
    await store.purgeExpired(later + 1000);
    expect(await store.getSession(accountId, session.id)).toBeNull();

    // Lockout rows: a counter and a lapsed lock go after a quiet day; a lock without end stays.
    await store.recordSourceFailure(client, '10.0.0.2', { maxFailedAttempts: 5, lockedUntil: null, now: later });
    await store.recordSourceFailure(client, '10.0.0.3', { maxFailedAttempts: 1, lockedUntil: later + 1000, now: later });
    await store.recordSourceFailure(client, '10.0.0.4', { maxFailedAttempts: 1, lockedUntil: null, now: later });
    const addresses = async () => (await store.listSourceLockouts(client)).map((row) => row.address).sort();
    expect(await addresses()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    await store.purgeExpired(later + 86_400_000 - 1);
    expect(await addresses()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    await store.purgeExpired(later + 86_400_000);
    expect(await addresses()).toEqual(['10.0.0.4']);
  });

  it('appends audit events, filters and pages them, and sums failure aggregates from several nodes', async () => {
    const auditAccount = `audit${kind}`;
    await store.insertAccount(account(auditAccount));
    const owner = client(auditAccount);
    await store.insertClient(owner);
    for (let i = 0; i < 5; i++) await store.insertAuditEvent(auditEvent(auditAccount, { at: T0 + i, clientId: i % 2 === 0 ? owner.id : null, data: { i } }));
    const all = await store.listAuditEvents(auditAccount, { limit: 2 });
    expect(all.items.map((e) => e.at)).toEqual([T0 + 4, T0 + 3]);
    const next = await store.listAuditEvents(auditAccount, { limit: 2, cursor: all.nextCursor! });
    expect(next.items.map((e) => e.at)).toEqual([T0 + 2, T0 + 1]);
    expect((await store.listAuditEvents(auditAccount, { limit: 50, clientId: owner.id })).items).toHaveLength(3);
    expect((await store.listAuditEvents(auditAccount, { limit: 50, since: T0 + 1, until: T0 + 3 })).items.map((e) => e.data)).toEqual([{ i: 2 }, { i: 1 }]);

    const aggregate = { accountId: auditAccount, clientId: owner.id, versionId: null, code: 'bad_secret', minute: T0 - (T0 % 60_000), count: 2 };
    await Promise.all(Array.from({ length: 6 }, (_, i) => ((i % 2 === 1 && peer) ? peer : store).addFailureAggregates([aggregate], () => id('evt'))));
    const failed = await store.listAuditEvents(auditAccount, { limit: 50, type: 'auth.failed' });
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]).toMatchObject({ code: 'bad_secret', count: 12, clientId: owner.id });

    // Sign-in failures: one row per (account, member or none, purpose, minute), counted atomically.
    const minute = T0 - (T0 % 60_000);
    const signInFailure = { accountId: auditAccount, memberId: 'mem_target', purpose: 'sign-in' as const, minute };
    await Promise.all(Array.from({ length: 4 }, (_, i) => ((i % 2 === 1 && peer) ? peer : store).addSignInFailure(signInFailure, () => id('evt'))));
    await store.addSignInFailure({ ...signInFailure, memberId: null }, () => id('evt'));
    await store.addSignInFailure({ ...signInFailure, purpose: 'registration' }, () => id('evt'));
    await store.addSignInFailure({ ...signInFailure, minute: minute + 60_000 }, () => id('evt'));
    const signIns = (await store.listAuditEvents(auditAccount, { limit: 50, type: 'signin.failed' })).items;
    // Rows of the same minute come back in id order, which is random: compare them sorted.
    const rows = signIns.map((event) => JSON.stringify([event.at, event.data, event.count, event.actor.type])).sort();
    expect(rows).toEqual([
      [minute, { purpose: 'registration', memberId: 'mem_target' }, 1, 'system'],
      [minute, { purpose: 'sign-in' }, 1, 'system'],
      [minute, { purpose: 'sign-in', memberId: 'mem_target' }, 4, 'system'],
      [minute + 60_000, { purpose: 'sign-in', memberId: 'mem_target' }, 1, 'system'],
    ].map((row) => JSON.stringify(row)).sort());
  });

  it('rolls a transaction back when its work throws, and nested transactions join the outer one', async () => {
    const doomed = client(accountId);
    await expect(store.transaction(async (tx) => {
      await tx.insertClient(doomed);
      await tx.transaction(async (inner) => inner.insertVersion(version(doomed)));
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await store.getClient(doomed.id)).toBeNull();
    expect(await store.listVersions(doomed.id)).toEqual([]);

    const kept = client(accountId);
    await store.transaction(async (tx) => {
      await tx.insertClient(kept);
      await tx.transaction(async (inner) => inner.insertVersion(version(kept)));
    });
    expect(await store.listVersions(kept.id)).toHaveLength(1);
  });

  it('serialises transactions that lock the same client', async () => {
    const owner = client(accountId, { failedAttempts: 0 });
    await store.insertClient(owner);
    const other = peer ?? store;
    // Read-modify-write under lockClient from two connections: no increment may be lost.
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : other).transaction(async (tx) => {
      await tx.lockClient(owner.id);
      const current = (await tx.getClient(owner.id))!;
      await sleep(2);
      await tx.updateClient({ ...current, failedAttempts: current.failedAttempts + 1 });
    })));
    expect((await store.getClient(owner.id))!.failedAttempts).toBe(10);
  });

  it('stores outbox messages and lists them by type and status', async () => {
    const outboxAccount = `outbox${kind}`;
    await store.insertAccount(account(outboxAccount));
    const first = outbox(outboxAccount, { createdAt: T0 });
    const second = outbox(outboxAccount, { createdAt: T0 + 1, status: 'sent', sentAt: T0 + 2, type: 'client.locked', channel: 'webhook' });
    await store.insertOutbox(first);
    await store.insertOutbox(second);
    expect(await store.listOutbox(outboxAccount, { limit: 10 })).toEqual([second, first]);
    expect(await store.listOutbox(outboxAccount, { limit: 10, status: 'pending' })).toEqual([first]);
    expect(await store.listOutbox(outboxAccount, { limit: 10, type: 'client.locked' })).toEqual([second]);
  });

  /** Leasing looks at every account's messages, so each leasing test gets a database of its own. */
  async function withFreshStores(work: (store: Store, peer: Store | null) => Promise<void>): Promise<void> {
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

  it('leases due outbox messages to one worker at a time', () => withFreshStores(async (store) => {
    const now = T0 + 10_000_000;
    const leaseAccount = `lease${kind}`;
    const due = Array.from({ length: 5 }, (_, i) => outbox(leaseAccount, { nextAttemptAt: now - 100 + i, createdAt: T0 + i }));
    const expiredLease = outbox(leaseAccount, { nextAttemptAt: now - 1000, leaseUntil: now - 1 });
    const notDue = outbox(leaseAccount, { nextAttemptAt: now + 1 });
    const leased = outbox(leaseAccount, { nextAttemptAt: now - 1000, leaseUntil: now + 5000 });
    const sent = outbox(leaseAccount, { nextAttemptAt: now - 1000, status: 'sent', sentAt: now - 500 });
    const failed = outbox(leaseAccount, { nextAttemptAt: now - 1000, status: 'failed' });
    for (const message of [...due, expiredLease, notDue, leased, sent, failed]) await store.insertOutbox(message);

    const batch = await store.leaseOutbox(now, 30_000, 3);
    expect(batch.map((m) => m.id)).toEqual([expiredLease.id, due[0]!.id, due[1]!.id]);
    expect(batch.every((m) => m.leaseUntil === now + 30_000 && m.status === 'pending')).toBe(true);
    expect(batch[0]).toEqual({ ...expiredLease, leaseUntil: now + 30_000 });

    const rest = await store.leaseOutbox(now, 30_000, 10);
    expect(rest.map((m) => m.id)).toEqual([due[2]!.id, due[3]!.id, due[4]!.id]);
    expect(await store.leaseOutbox(now, 30_000, 10)).toEqual([]);
    // Leases run out; so does the wait for a message that was not due yet.
    const later = await store.leaseOutbox(now + 30_000, 1000, 10);
    expect(later.map((m) => m.id).sort()).toEqual([...due.map((m) => m.id), expiredLease.id, notDue.id, leased.id].sort());
  }));

  it('never hands one outbox message to two concurrent workers', () => withFreshStores(async (store, peer) => {
    const now = T0 + 10_000_000;
    const leaseAccount = `race${kind}`;
    const messages = Array.from({ length: 60 }, (_, i) => outbox(leaseAccount, { nextAttemptAt: now - 1, createdAt: T0 + i }));
    for (const message of messages) await store.insertOutbox(message);
    const batches = await Promise.all(Array.from({ length: 12 }, (_, i) => ((i % 2 === 1 && peer) ? peer : store).leaseOutbox(now, 60_000, 7)));
    const ids = batches.flat().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(messages.map((m) => m.id).sort());
  }));

  it('records changes only when their transaction commits', async () => {
    const start = await store.latestChange();
    const committed = id('cli');
    await store.transaction(async (tx) => tx.recordChange(committed, T0));
    await expect(store.transaction(async (tx) => {
      await tx.recordChange(id('cli'), T0);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    const outside = id('cli');
    await store.recordChange(outside, T0);
    const changes = await store.changesSince(start);
    expect(changes.map((c) => c.clientId)).toEqual([committed, outside]);
    expect(changes[0]!.seq).toBeLessThan(changes[1]!.seq);
    expect(await store.latestChange()).toBe(changes[1]!.seq);
    expect(await store.changesSince(changes[1]!.seq)).toEqual([]);
  });

  it('numbers changes in commit order, so a reader that only looks past its last sequence misses none', async () => {
    const start = await store.latestChange();
    const writers = peer ? [store, peer] : [store];
    const recorded: string[] = [];
    let done = false;
    const seen: string[] = [];
    let lastSeq = start;
    const read = async (): Promise<void> => {
      for (const change of await store.changesSince(lastSeq)) {
        seen.push(change.clientId);
        lastSeq = change.seq;
      }
    };
    const reader = (async () => {
      while (!done) {
        await read();
        await sleep(1);
      }
      await read();
    })();
    // Transactions that record early but commit late, interleaved with ones that commit at once.
    await Promise.all(Array.from({ length: 24 }, async (_, i) => {
      const clientId = id('cli');
      await writers[i % writers.length]!.transaction(async (tx) => {
        await tx.recordChange(clientId, T0);
        await sleep(i % 3 === 0 ? 30 : i % 3 === 1 ? 5 : 0);
      });
      recorded.push(clientId);
    }));
    done = true;
    await reader;
    expect(seen.sort()).toEqual([...recorded].sort());
  });

  it.runIf(kind === 'postgres')('sends a change notice at commit, never for a rollback', async () => {
    const listener = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    const notices: string[] = [];
    listener.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload) notices.push(message.payload);
    });
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      const committed = id('cli');
      const rolledBack = id('cli');
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const open = store.transaction(async (tx) => {
        await tx.recordChange(committed, T0);
        await held;
      });
      await sleep(50);
      expect(notices).not.toContain(committed);
      release();
      await open;
      await expect(store.transaction(async (tx) => {
        await tx.recordChange(rolledBack, T0);
        throw new Error('no');
      })).rejects.toThrow('no');
      const deadline = Date.now() + 2000;
      while (!notices.includes(committed) && Date.now() < deadline) await sleep(5);
      await sleep(50);
      expect(notices).toContain(committed);
      expect(notices).not.toContain(rolledBack);
    } finally {
      await listener.end();
    }
  });

  it.runIf(kind === 'postgres')('reports an unreachable database as `unavailable`, promptly', async () => {
    const url = new URL(db.url);
    url.port = '1'; // nothing listens there
    const { store: dead } = await openStore({ kind: 'postgres', url: url.toString() }, { migrate: false });
    try {
      const started = Date.now();
      const failure = await dead.getClient('cli_x').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RekeyError);
      expect((failure as RekeyError).code).toBe('unavailable');
      const inTransaction = await dead.transaction(async (tx) => tx.getClient('cli_x')).catch((error: unknown) => error);
      expect((inTransaction as RekeyError).code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await dead.close();
    }
  });

  it('passes ordinary database errors through unchanged', async () => {
    const duplicate = client(accountId);
    await store.insertClient(duplicate);
    const failure = await store.insertClient(duplicate).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(RekeyError);
  });
});
