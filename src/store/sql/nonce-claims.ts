import type { AuthStore } from '../../core/auth/index.js';
import { refuseUnholdable } from '../../core/kernel/index.js';
import type { SqlDb } from '../sql-db.js';

/** Rows per statement: 3 parameters each stays far below both databases' limits. */
export const MAX_CLAIMS_PER_STATEMENT = 256;

/** A claim waiting for its turn's write, with how to answer it. */
export interface NonceClaim {
  scope: string;
  nonce: string;
  expiresAt: number;
  now: number;
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * One statement claims many nonces: a new row is fresh, and so is an expired one it takes over; a
 * live row means replay, and RETURNING leaves it out. The last `?` is the batch's earliest `now`,
 * so a row is taken over only once it has expired for every claim of the batch.
 */
const claimSqlBySize = new Map<number, string>();
function claimSql(rows: number): string {
  const known = claimSqlBySize.get(rows);
  if (known !== undefined) return known;
  const values = Array.from({ length: rows }, () => '(?, ?, ?)').join(', ');
  const sql = `INSERT INTO nonces (scope, nonce, expires_at) VALUES ${values} ON CONFLICT (scope, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ? RETURNING scope, nonce`;
  claimSqlBySize.set(rows, sql);
  return sql;
}

export const keyOf = (scope: string, nonce: string): string => `${scope}\n${nonce}`;

/** Claims distinct nonces with one statement; resolves to the keys (`keyOf`) that were fresh. */
export async function claimNoncesSql(
  db: SqlDb,
  claims: ReadonlyArray<{ scope: string; nonce: string; expiresAt: number }>,
  now: number,
): Promise<Set<string>> {
  const params: unknown[] = [];
  for (const claim of claims) params.push(claim.scope, claim.nonce, claim.expiresAt);
  params.push(now);
  const rows = await db.all<{ scope: string; nonce: string }>(claimSql(claims.length), params);
  return new Set(rows.map((row) => keyOf(row.scope, row.nonce)));
}

/** One nonce, claimed at once (a store inside a transaction, where nothing may outlive it). */
export async function claimNonceNow(db: SqlDb, scope: string, nonce: string, expiresAt: number, now: number): Promise<boolean> {
  return (await claimNoncesSql(db, [{ scope, nonce, expiresAt }], now)).size === 1;
}

/**
 * Group commit for the one write on the signed-request hot path (RFC 9421 and OAuth 1.0a nonces):
 * the claims of one event-loop turn are written by one statement (per 256) instead of a statement
 * and a commit each. Each claim is answered only once that statement has committed, so an answered
 * request's nonce is durable, and the database's primary key keeps deciding between nodes. A
 * nonce claimed twice in one batch goes to the database once; the later claims are replays. If the
 * statement fails, every claim of the batch fails with the store's error and none is written.
 */
export function batchedNonceClaims(db: SqlDb, schedule: (run: () => void) => void = setImmediate): AuthStore['claimNonce'] {
  let pending: NonceClaim[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    // Claims of one key: the first goes to the database, the later ones are replays of it (or share its
    // error). Keys go in one order on every node, so two nodes' statements never wait on each other's rows.
    const groups = new Map<string, NonceClaim[]>();
    for (const claim of batch) {
      const key = keyOf(claim.scope, claim.nonce);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [claim]);
      else group.push(claim);
    }
    const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let start = 0; start < ordered.length; start += MAX_CLAIMS_PER_STATEMENT) {
      const chunk = ordered.slice(start, start + MAX_CLAIMS_PER_STATEMENT);
      const firsts = chunk.map(([, group]) => group[0]!);
      claimNoncesSql(db, firsts, Math.min(...firsts.map((claim) => claim.now))).then(
        (fresh) => {
          for (const [key, [first, ...repeats]] of chunk) {
            first!.resolve(fresh.has(key));
            for (const repeat of repeats) repeat.resolve(false);
          }
        },
        (error: unknown) => {
          for (const [, group] of chunk) for (const claim of group) claim.reject(error);
        },
      );
    }
  };
  return (scope, nonce, expiresAt, now) =>
    new Promise<boolean>((resolve, reject) => {
      // A value the store refuses fails its own claim only, not the batch it would have joined.
      refuseUnholdable([scope, nonce]);
      if (pending.push({ scope, nonce, expiresAt, now, resolve, reject }) === 1) schedule(flush);
    });
}
