import type { CredentialCache } from '../core/auth/index.js';
import type { Store } from '../core/kernel/index.js';

export interface ChangeFollower {
  /** Reads the change log once: drops cached entries that changed, then confirms freshness. */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/** PostgreSQL: a LISTEN connection delivering change notices, which also carries the log reads. */
export interface ChangeNotices {
  /** Reads the log on the listening connection, so a successful read proves notices can arrive. */
  source: Pick<Store, 'changesSince' | 'latestChange'>;
  onNotify(handler: (clientId: string) => void): void;
  close(): Promise<void>;
}

export interface ChangeFollowerOptions {
  /**
   * How often the log is read, the heartbeat that confirms freshness (default 100 ms; 50 ms on
   * SQLite, where polling is the only way to hear of a change and a tick that finds nothing new
   * costs one pragma).
   */
  intervalMs?: number;
  /** SQLite: `PRAGMA data_version`, which moves only when another connection (a node, the CLI) commits. */
  dataVersion?: () => number;
  notices?: ChangeNotices;
}

/**
 * Keeps this node's credential cache coherent with every other writer (SPEC §9).
 *
 * The change log is the authority: every tick reads it past the last sequence seen, drops the
 * clients named there, and only then confirms freshness; when reads fail for a second the cache
 * stops vouching for anything. On SQLite a tick first asks `PRAGMA data_version` and skips the
 * read when nobody else committed. On PostgreSQL every NOTIFY triggers an immediate read, so
 * invalidation usually lands within milliseconds of the commit; a notice lost while the listening
 * connection was down is still found by the next periodic read.
 */
export async function startChangeFollower(
  store: Store,
  cache: CredentialCache,
  options: ChangeFollowerOptions = {},
): Promise<ChangeFollower> {
  const source = options.notices?.source ?? store;
  let lastSeq = await source.latestChange();
  let lastDataVersion = options.dataVersion?.() ?? -1;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const readOnce = async (): Promise<void> => {
    const startedAt = cache.monotonicNow();
    try {
      const dataVersion = options.dataVersion?.();
      if (dataVersion === undefined || dataVersion !== lastDataVersion) {
        const changes = await source.changesSince(lastSeq);
        for (const change of changes) {
          cache.invalidate(change.clientId);
          lastSeq = Math.max(lastSeq, change.seq);
        }
        if (dataVersion !== undefined) lastDataVersion = dataVersion;
      }
      cache.confirmFresh(startedAt);
    } catch {
      // Freshness simply lapses; the cache refuses to vouch once the window passes.
    }
  };

  const poll = (): Promise<void> => {
    if (running) {
      // A notice that arrives during a read may name a change that read missed: read once more.
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await readOnce();
      } while (again && !stopped);
      running = null;
    })();
    return running;
  };

  // The notice only says "read now": the log, read in this node's own schema, names what to drop.
  // Acting on the payload directly would let notices from other schemas of the same database
  // (other deployments, parallel tests) churn this cache.
  options.notices?.onNotify(() => {
    if (!stopped) void poll();
  });

  await poll();
  const timer = setInterval(() => void poll(), options.intervalMs ?? (options.dataVersion ? 50 : 100));
  timer.unref();
  return {
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await options.notices?.close();
    },
  };
}
