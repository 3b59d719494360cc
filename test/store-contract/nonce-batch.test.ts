import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../src/store/open-store.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { MAX_CLAIMS_PER_STATEMENT } from '../../src/store/sql/nonce-claims.js';
import { createTestDatabase, STORE_KINDS, type TestDatabase } from '../support/stores.js';
import { T0, id } from './harness.js';

const POISON = 'poison-nonce';

/** A failure the database raises in the middle of a statement, on one row of the batch. */
async function addPoisonTrigger(opened: OpenedStore): Promise<void> {
  if (opened.db.dialect === 'sqlite') {
    await opened.db.run(
      `CREATE TRIGGER nonces_poison BEFORE INSERT ON nonce_log WHEN NEW.nonce = '${POISON}' BEGIN SELECT RAISE(ABORT, 'poisoned nonce'); END`,
    );
    return;
  }
  await opened.db.run(
    `CREATE FUNCTION nonces_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.nonce = '${POISON}' THEN RAISE EXCEPTION 'poisoned nonce'; END IF; RETURN NEW; END $$`,
  );
  await opened.db.run('CREATE TRIGGER nonces_poison BEFORE INSERT ON nonces FOR EACH ROW EXECUTE FUNCTION nonces_poison()');
}

// The nonce claims of one event-loop turn share one write: one statement on PostgreSQL
// (src/store/sql/nonce-claims.ts), one journal append on SQLite (src/store/sqlite/nonce-journal.ts).
describe.each(STORE_KINDS)('Store contract: batched nonce claims (%s)', (kind) => {
  let db: TestDatabase;
  let opened: OpenedStore;
  let peer: OpenedStore | null = null;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const location = kind === 'sqlite' ? ({ kind, path: db.url } as const) : ({ kind, url: db.url } as const);
    opened = await openStore(location);
    // A second node on the same database: on SQLite, another connection to the same file.
    peer = await openStore(location);
    await addPoisonTrigger(opened);
  });
  afterAll(async () => {
    await peer?.store.close();
    await opened?.store.close();
    await db?.drop();
  });
  const table = kind === 'sqlite' ? 'nonce_log' : 'nonces';
  const count = async (scope: string): Promise<number> =>
    Number((await opened.db.all<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table} WHERE scope = ?`, [scope]))[0]!.n);

  it('answers every claim of a turn, over several statements: each nonce fresh once, its repeats replays', async () => {
    const scope = id('scope');
    const nonces = Array.from({ length: MAX_CLAIMS_PER_STATEMENT + 44 }, (_, i) => `n${i}`);
    const claims = [...nonces, ...nonces.slice(0, 50), ...nonces.slice(0, 50)];
    const answers = await Promise.all(claims.map((nonce) => opened.store.claimNonce(scope, nonce, T0 + 300_000, T0)));
    expect(answers.slice(0, nonces.length).every(Boolean)).toBe(true);
    expect(answers.slice(nonces.length).some(Boolean)).toBe(false);
    expect(await count(scope)).toBe(nonces.length);
    // The next turn's claims of the same nonces are replays; once expired, they are fresh again.
    expect(await Promise.all(nonces.slice(0, 3).map((nonce) => opened.store.claimNonce(scope, nonce, T0 + 300_000, T0 + 1)))).toEqual([
      false,
      false,
      false,
    ]);
    expect(await opened.store.claimNonce(scope, 'n0', T0 + 900_000, T0 + 300_000)).toBe(true);
  });

  it('lets one node win each nonce when two nodes claim the same nonces in the same turn', async () => {
    const scope = id('scope');
    const nonces = Array.from({ length: 120 }, (_, i) => `n${i}`);
    const other = peer!.store;
    // Reversed on the other node: the batches still lock their rows in one order (no deadlock).
    const answers = await Promise.all([
      ...nonces.map((nonce) => opened.store.claimNonce(scope, nonce, T0 + 300_000, T0)),
      ...[...nonces].reverse().map((nonce) => other.claimNonce(scope, nonce, T0 + 300_000, T0)),
    ]);
    const wins = nonces.map((_, i) => Number(answers[i]) + Number(answers[answers.length - 1 - i]));
    expect(wins.every((won) => won === 1)).toBe(true);
    expect(await count(scope)).toBe(nonces.length);
  });

  it('fails every claim of a batch with the error one claim alone gets, and writes none of them', async () => {
    const scope = id('scope');
    const alone = await createSqlStore(opened.db)
      .claimNonce(scope, POISON, T0 + 300_000, T0)
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(alone).toBeInstanceOf(Error);
    const batch = await Promise.allSettled(
      ['a', 'b', POISON, 'c', 'a'].map((nonce) => opened.store.claimNonce(scope, nonce, T0 + 300_000, T0)),
    );
    for (const settled of batch) {
      expect(settled.status).toBe('rejected');
      const error = (settled as PromiseRejectedResult).reason as Error & { code?: unknown };
      expect(error.constructor).toBe((alone as Error).constructor);
      expect(error.message).toBe((alone as Error).message);
      expect(error.code).toBe((alone as { code?: unknown }).code);
    }
    expect(await count(scope)).toBe(0);
    // Nothing was half-written: the same nonces are fresh in the next turn.
    expect(await Promise.all(['a', 'b', 'c'].map((nonce) => opened.store.claimNonce(scope, nonce, T0 + 300_000, T0)))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('refuses a value the store cannot hold in its own claim only', async () => {
    const scope = id('scope');
    const [bad, good] = await Promise.allSettled([
      opened.store.claimNonce(scope, 'nul\u0000', T0 + 300_000, T0),
      opened.store.claimNonce(scope, 'fine', T0 + 300_000, T0),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'invalid_request' } });
    expect(good).toEqual({ status: 'fulfilled', value: true });
  });

  it('keeps a claim across a restart, and lets it go once expired: the purge trims what expired and keeps what lives', async () => {
    // A database of its own, so the purge sees only this test's claims.
    const own = await createTestDatabase(kind);
    const location = kind === 'sqlite' ? ({ kind, path: own.url } as const) : ({ kind, url: own.url } as const);
    const first = await openStore(location);
    const second = await openStore(location);
    let restarted: OpenedStore | null = null;
    try {
      const scope = id('scope');
      const rows = async (): Promise<number> => Number((await second.db.all<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
      expect(await first.store.claimNonce(scope, 'short', T0 + 1_000, T0)).toBe(true);
      expect(await first.store.claimNonce(scope, 'kept', T0 + 300_000, T0)).toBe(true);
      await first.store.close();
      restarted = await openStore(location);
      expect(await restarted.store.claimNonce(scope, 'kept', T0 + 300_000, T0 + 10)).toBe(false);
      expect(await restarted.store.claimNonce(scope, 'short', T0 + 1_000, T0 + 10)).toBe(false);
      await restarted.store.purgeExpired(T0 + 2_000);
      expect(await rows()).toBe(1);
      expect(await restarted.store.claimNonce(scope, 'short', T0 + 300_000, T0 + 2_000)).toBe(true);
      expect(await restarted.store.claimNonce(scope, 'kept', T0 + 300_000, T0 + 2_000)).toBe(false);
      // The other node sees the restarted node's claims, and the restarted node sees its.
      expect(await second.store.claimNonce(scope, 'short', T0 + 300_000, T0 + 2_000)).toBe(false);
      expect(await second.store.claimNonce(scope, 'from-second', T0 + 300_000, T0 + 2_000)).toBe(true);
      expect(await restarted.store.claimNonce(scope, 'from-second', T0 + 300_000, T0 + 2_000)).toBe(false);
    } finally {
      await restarted?.store.close();
      await second.store.close();
      await own.drop();
    }
  });

  it('decides a nonce two nodes claim in the same turns, many times over: one win each, none lost', async () => {
    const scope = id('scope');
    const rounds = 20;
    let wins = 0;
    for (let round = 0; round < rounds; round++) {
      const nonces = Array.from({ length: 30 }, (_, i) => `r${round}-${i}`);
      const answers = await Promise.all(
        nonces.flatMap((nonce) => [
          opened.store.claimNonce(scope, nonce, T0 + 300_000, T0),
          peer!.store.claimNonce(scope, nonce, T0 + 300_000, T0),
        ]),
      );
      for (let i = 0; i < nonces.length; i++) expect(Number(answers[2 * i]) + Number(answers[2 * i + 1])).toBe(1);
      wins += answers.filter(Boolean).length;
    }
    expect(wins).toBe(rounds * 30);
    expect(await count(scope)).toBe(rounds * 30);
  });

  it('forgets expired claims as time passes and keeps deciding right: a burst of short-lived nonces, then later claims', async () => {
    const scope = id('scope');
    const burst = Array.from({ length: 5_000 }, (_, i) => `b${i}`);
    expect((await Promise.all(burst.map((nonce) => opened.store.claimNonce(scope, nonce, T0 + 10, T0)))).every(Boolean)).toBe(true);
    // A minute and more later: every burst nonce has expired, and a claim in the same turn is fresh again.
    const later = T0 + 70_000;
    expect(
      await Promise.all([
        opened.store.claimNonce(scope, 'after', later + 300_000, later),
        opened.store.claimNonce(scope, 'b0', later + 300_000, later),
      ]),
    ).toEqual([true, true]);
    expect(await opened.store.claimNonce(scope, 'after', later + 300_000, later + 1)).toBe(false);
    expect(await opened.store.claimNonce(scope, 'b1', later + 300_000, later + 1)).toBe(true);
    expect(await opened.store.claimNonce(scope, 'b1', later + 300_000, later + 2)).toBe(false);
    // A claim judged a little earlier than the latest (a clock stepped back) still finds a live nonce.
    expect(await opened.store.claimNonce(scope, 'after', later + 300_000, later - 30_000)).toBe(false);
  });
});
