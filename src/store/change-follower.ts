import type { Clock } from '../core/clock.js';
import type { CredentialCache } from '../core/credential-cache.js';
import type { Store } from '../core/store.js';

export interface ChangeFollower {
  /** Reads the change log once: drops cached entries that changed, then confirms freshness. */
  poll(): Promise<void>;
  stop(): void;
}

/**
 * Keeps this node's credential cache coherent with every other writer (SPEC §9). Each tick reads
 * the change log past the last sequence seen; on SQLite the tick first asks `PRAGMA data_version`,
 * which moves only when another connection (another node, the CLI) commits. A tick that succeeds
 * confirms freshness; when ticks fail for a second the cache stops vouching for anything.
 */
export async function startChangeFollower(
  store: Store,
  cache: CredentialCache,
  clock: Clock,
  options: { intervalMs?: number; dataVersion?: () => number } = {},
): Promise<ChangeFollower> {
  let lastSeq = await store.latestChange();
  let lastDataVersion = options.dataVersion?.() ?? -1;
  let running = false;
  const poll = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const dataVersion = options.dataVersion?.();
      if (dataVersion === undefined || dataVersion !== lastDataVersion) {
        const changes = await store.changesSince(lastSeq);
        for (const change of changes) {
          cache.invalidate(change.clientId);
          lastSeq = Math.max(lastSeq, change.seq);
        }
        if (dataVersion !== undefined) lastDataVersion = dataVersion;
      }
      cache.confirmFresh(clock.now());
    } catch {
      // Freshness simply lapses; the cache refuses to vouch once the window passes.
    } finally {
      running = false;
    }
  };
  await poll();
  const timer = setInterval(() => void poll(), options.intervalMs ?? 100);
  timer.unref();
  return { poll, stop: () => clearInterval(timer) };
}
