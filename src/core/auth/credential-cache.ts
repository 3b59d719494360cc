import type { Client } from '../credentials/client.js';
import { RekeyError } from '../kernel/errors.js';
import { isRefusedInput } from '../kernel/unholdable.js';
import { versionAad, type Keyring } from '../kernel/keyring.js';
import type { SecretVersion } from '../credentials/secret-version.js';
import type { Store } from '../kernel/store.js';

export interface CachedClient {
  client: Client;
  versions: SecretVersion[];
  /** Decrypted secrets for signed methods, filled on first use. Process memory only. */
  plaintext: Map<string, string>;
}

export interface CacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  entries: number;
}

/** How long a node may serve cached credentials without confirming the change log (SPEC §9). */
export const FRESHNESS_WINDOW_MS = 1000;
const MAX_NEGATIVE_ENTRIES = 10_000;

/**
 * Verified-credential state served from memory. Entries are dropped by the change log follower
 * (`invalidate`); until the follower confirms it is current (`confirmFresh`), cached entries are
 * not trusted. Time-based transitions (grace end, expiry) need no invalidation: verdicts are
 * computed against the clock on every use.
 */
export interface CredentialCache {
  get(clientId: string, now: number): Promise<CachedClient | null>;
  /**
   * The cached entry without waiting: `undefined` when nothing is cached (call `get`), `null` for
   * a known-unknown id. Throws `unavailable` like `get` when the cache cannot be trusted.
   */
  peek(clientId: string): CachedClient | null | undefined;
  secretOf(entry: CachedClient, version: SecretVersion): string | null;
  invalidate(clientId: string): void;
  invalidateAll(): void;
  /** Calls `listener` after every invalidation (`null` = everything), so caches built beside this one stay coherent. */
  onInvalidate(listener: (clientId: string | null) => void): void;
  /**
   * Called by the change-log follower after each successful read of the log. `since`, a
   * `monotonicNow()` reading taken when the read began, dates the confirmation: the entries are
   * known current as of then, not as of when a slow answer arrived.
   */
  confirmFresh(since?: number): void;
  isFresh(_now?: number): boolean;
  /** Milliseconds since the last confirmed read of the change log (Infinity before the first); /metrics reports it. */
  freshnessAgeMs(): number;
  /** The monotonic clock freshness is measured on. */
  monotonicNow(): number;
  stats(): CacheStats;
}

/**
 * Freshness is measured on a monotonic clock of its own, not the domain clock: it is about this
 * process's contact with the database, and must not move when a test advances domain time.
 */
export function createCredentialCache(
  store: Store,
  keyring: Keyring,
  options: { alwaysFresh?: boolean; monotonicMs?: () => number } = {},
): CredentialCache {
  const monotonic = options.monotonicMs ?? (() => performance.now());
  const entries = new Map<string, CachedClient | null>();
  let negatives = 0;
  let epoch = 0;
  let confirmedAt = -Infinity;
  const counters = { hits: 0, misses: 0, invalidations: 0 };
  const listeners: Array<(clientId: string | null) => void> = [];

  const isFresh = (): boolean => options.alwaysFresh === true || monotonic() - confirmedAt <= FRESHNESS_WINDOW_MS;

  const peek = (clientId: string): CachedClient | null | undefined => {
    const cached = entries.get(clientId);
    if (cached === undefined) return undefined;
    if (!isFresh()) {
      throw new RekeyError('unavailable', 'This node cannot confirm its credentials are current; try again shortly.', { retryAfter: 1 });
    }
    counters.hits++;
    return cached;
  };

  return {
    peek,
    async get(clientId) {
      const cached = peek(clientId);
      if (cached !== undefined) return cached;
      counters.misses++;
      const startEpoch = epoch;
      let loaded: CachedClient | null;
      try {
        const client = await store.getClient(clientId);
        loaded = client ? { client, versions: await store.listVersions(clientId), plaintext: new Map() } : null;
      } catch (error) {
        if (isRefusedInput(error)) throw error;
        throw new RekeyError('unavailable', 'The credential store is unreachable; try again shortly.', { retryAfter: 1 });
      }
      // A change seen while loading may predate what was read: keep it uncached.
      if (epoch === startEpoch && isFresh()) {
        if (loaded === null) {
          if (negatives >= MAX_NEGATIVE_ENTRIES) {
            for (const [key, value] of entries) if (value === null) entries.delete(key);
            negatives = 0;
          }
          negatives++;
        }
        entries.set(clientId, loaded);
      }
      return loaded;
    },
    secretOf(entry, version) {
      const known = entry.plaintext.get(version.id);
      if (known !== undefined) return known;
      if (version.secretCiphertext === null) return null;
      const secret = keyring.decrypt(version.secretCiphertext, versionAad(version.clientId, version.id));
      entry.plaintext.set(version.id, secret);
      return secret;
    },
    invalidate(clientId) {
      epoch++;
      counters.invalidations++;
      if (entries.get(clientId) === null) negatives--;
      entries.delete(clientId);
      for (const listener of listeners) listener(clientId);
    },
    invalidateAll() {
      epoch++;
      counters.invalidations++;
      entries.clear();
      negatives = 0;
      for (const listener of listeners) listener(null);
    },
    onInvalidate(listener) {
      listeners.push(listener);
    },
    confirmFresh(since) {
      confirmedAt = Math.max(confirmedAt, Math.min(since ?? monotonic(), monotonic()));
    },
    isFresh,
    freshnessAgeMs: () => (options.alwaysFresh === true ? 0 : monotonic() - confirmedAt),
    monotonicNow: monotonic,
    stats: () => ({ ...counters, entries: entries.size }),
  };
}
