import type { AuthStore } from '../../core/auth/index.js';
import { refuseUnholdable } from '../../core/kernel/index.js';
import type { SqlDb } from '../sql-db.js';
import { keyOf, type NonceClaim } from '../sql/nonce-claims.js';

/** Rows per INSERT: 3 parameters each stays far below SQLite's limit. */
const ROWS_PER_INSERT = 256;
/**
 * Entries stay in memory this long past their expiry before they are forgotten, so a clock that
 * steps back a little still finds them; a claim is judged against its own `now` either way.
 */
const FORGET_MARGIN_MS = 60_000;

interface Claim extends NonceClaim {
  key: string;
}

const insertSqlBySize = new Map<number, string>();
function insertSql(rows: number): string {
  let sql = insertSqlBySize.get(rows);
  if (sql === undefined) {
    sql = `INSERT INTO nonce_log (scope, nonce, expires_at) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?)').join(', ')}`;
    insertSqlBySize.set(rows, sql);
  }
  return sql;
}

/**
 * Nonce claims on SQLite (signed requests, SPEC §4a and §4.2): an append-only journal on disk, the
 * live nonces in memory.
 *
 * The claims of one event-loop turn are decided and written in one write transaction. It first
 * reads the journal rows other connections (other nodes on the same file) appended since this one
 * last looked, then decides each claim against the live nonces it knows — fresh unless a claim of
 * the same (scope, nonce) is live at the claim's `now` — then appends the fresh ones. SQLite lets
 * one writer in at a time, so every connection decides with every earlier claim in view, as the
 * unique key of a `nonces` table would; a claim is answered only after its transaction committed,
 * so an answered nonce is durable, and a restarted node reads the journal back before it decides.
 *
 * What this saves: a nonce is random, so a claim in a table keyed by nonce dirtied a page at a
 * random place in the table and the commit wrote that page to the WAL; here a turn's claims are
 * appended together to the journal's last page. What it costs: each node keeps its live nonces in
 * memory (one Map entry per nonce until it expires, plus `FORGET_MARGIN_MS`).
 *
 * PostgreSQL keeps the `nonces` table (src/store/sql/nonce-claims.ts): there several nodes write at
 * once, and a journal read under one lock would make them wait on each other.
 */
export function sqliteNonceJournal(db: SqlDb, schedule: (run: () => void) => void = setImmediate): AuthStore['claimNonce'] {
  const live = new Map<string, number>();
  // Forgetting in the order nonces were remembered: expiries grow with time, roughly.
  let order: Array<{ key: string; expiresAt: number }> = [];
  let orderHead = 0;
  let lastSeen = 0;
  let pending: Claim[] = [];

  const remember = (key: string, expiresAt: number): void => {
    const known = live.get(key);
    if (known === undefined || known < expiresAt) {
      live.set(key, expiresAt);
      order.push({ key, expiresAt });
    }
  };
  const forgetBefore = (horizon: number): void => {
    while (orderHead < order.length && order[orderHead]!.expiresAt <= horizon) {
      const { key, expiresAt } = order[orderHead++]!;
      if (live.get(key) === expiresAt) live.delete(key);
    }
    if (orderHead > 4096 && orderHead * 2 > order.length) {
      order = order.slice(orderHead);
      orderHead = 0;
    }
  };

  const flush = (): void => {
    const batch = pending;
    pending = [];
    // What this batch changed in memory, undone if its transaction does not commit.
    const undo: Array<[key: string, previous: number | undefined]> = [];
    let caughtUp = lastSeen;
    db.transaction(async (tx) => {
      const others = await tx.all<{ id: number; scope: string; nonce: string; expires_at: number }>(
        'SELECT id, scope, nonce, expires_at FROM nonce_log WHERE id > ? ORDER BY id',
        [lastSeen],
      );
      for (const row of others) {
        remember(keyOf(row.scope, row.nonce), Number(row.expires_at));
        caughtUp = Number(row.id);
      }
      let earliest = Infinity;
      for (const claim of batch) earliest = Math.min(earliest, claim.now);
      forgetBefore(earliest - FORGET_MARGIN_MS);
      const fresh: Claim[] = [];
      const verdicts = batch.map((claim) => {
        const known = live.get(claim.key);
        if (known !== undefined && known > claim.now) return false;
        undo.push([claim.key, known]);
        live.set(claim.key, claim.expiresAt);
        fresh.push(claim);
        return true;
      });
      for (let start = 0; start < fresh.length; start += ROWS_PER_INSERT) {
        const rows = fresh.slice(start, start + ROWS_PER_INSERT);
        const params: unknown[] = [];
        for (const claim of rows) params.push(claim.scope, claim.nonce, claim.expiresAt);
        await tx.run(insertSql(rows.length), params);
      }
      const [last] = fresh.length > 0 ? await tx.all<{ id: number }>('SELECT MAX(id) AS id FROM nonce_log') : [{ id: caughtUp }];
      return { verdicts, fresh, last: Number(last?.id ?? caughtUp) };
    }).then(
      ({ verdicts, fresh, last }) => {
        lastSeen = last;
        for (const claim of fresh) order.push({ key: claim.key, expiresAt: claim.expiresAt });
        batch.forEach((claim, index) => claim.resolve(verdicts[index]!));
      },
      (error: unknown) => {
        // Nothing of this batch was written: its claims fail, and memory forgets them. What other
        // connections had committed, read before the failure, stays known.
        for (let index = undo.length - 1; index >= 0; index--) {
          const [key, previous] = undo[index]!;
          if (previous === undefined) live.delete(key);
          else live.set(key, previous);
        }
        lastSeen = caughtUp;
        for (const claim of batch) claim.reject(error);
      },
    );
  };

  return (scope, nonce, expiresAt, now) =>
    new Promise<boolean>((resolve, reject) => {
      // A value the store refuses fails its own claim only, not the batch it would have joined.
      refuseUnholdable([scope, nonce]);
      if (pending.push({ key: keyOf(scope, nonce), scope, nonce, expiresAt, now, resolve, reject }) === 1) schedule(flush);
    });
}
