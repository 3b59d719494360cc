import type { FailureAggregate } from '../audit/audit-store.js';
import type { Store } from '../kernel/store.js';
import type { UsageUpdate } from './auth-store.js';
import { HOUR_MS, hourOf } from './usage-bucket.js';

/**
 * Batches hot-path statistics in memory so a verified request writes nothing (SPEC §9):
 * per-version use counts and last use, per (version, hour) for the usage chart, and failed
 * authentications per (client, version, code, minute) for the aggregated `auth.failed` audit event.
 */
export interface UsageRecorder {
  success(versionId: string, now: number): void;
  failure(entry: { accountId: string; clientId: string; versionId: string | null; code: string }, now: number): void;
  pending(): number;
  flush(store: Store, newId: () => string): Promise<void>;
}

/** Uses written per transaction by a flush; the event loop turns between slices. */
export const USAGE_FLUSH_SLICE = 100;

const byVersionId = (a: UsageUpdate, b: UsageUpdate): number =>
  a.versionId < b.versionId ? -1 : a.versionId > b.versionId ? 1 : a.hour - b.hour;

/**
 * The uses in version id order: the store keeps usage rows in that order, so each slice touches a
 * few neighbouring rows rather than rows scattered over the whole table. Sorting tens of thousands
 * at once would hold the event loop for tens of milliseconds, so they are grouped by the start of
 * their id, the groups taken in order, and each group sorted only when its turn comes. (Strings in
 * order have their prefixes in order, so this is the order of one full sort.)
 */
function* inVersionIdOrder(items: UsageUpdate[]): Generator<UsageUpdate, void, undefined> {
  const groups = new Map<string, UsageUpdate[]>();
  for (const item of items) {
    const prefix = item.versionId.slice(0, 6);
    const group = groups.get(prefix);
    if (group === undefined) groups.set(prefix, [item]);
    else group.push(item);
  }
  for (const prefix of [...groups.keys()].sort()) yield* groups.get(prefix)!.sort(byVersionId);
}

function take(source: Iterator<UsageUpdate>, count: number): UsageUpdate[] {
  const taken: UsageUpdate[] = [];
  while (taken.length < count) {
    const next = source.next();
    if (next.done === true) break;
    taken.push(next.value);
  }
  return taken;
}

export function createUsageRecorder(): UsageRecorder {
  // The open hour of each version stays keyed by version id alone, so a success costs one map
  // lookup and no allocation; when a version's hour turns, its finished entry moves to `closed`.
  let uses = new Map<string, UsageUpdate>();
  let closed: UsageUpdate[] = [];
  let failures = new Map<string, FailureAggregate>();
  const keepUse = (item: UsageUpdate): void => {
    const entry = uses.get(item.versionId);
    if (!entry) uses.set(item.versionId, item);
    else if (entry.hour === item.hour) {
      entry.count += item.count;
      entry.lastUsedAt = Math.max(entry.lastUsedAt, item.lastUsedAt);
    } else closed.push(item);
  };
  return {
    success(versionId, now) {
      const entry = uses.get(versionId);
      // Two comparisons, not `now % HOUR_MS`: a modulo of a double is a call into the runtime.
      if (entry && now >= entry.hour && now - entry.hour < HOUR_MS) {
        entry.count++;
        entry.lastUsedAt = now;
      } else {
        if (entry) closed.push(entry);
        uses.set(versionId, { versionId, hour: hourOf(now), count: 1, lastUsedAt: now });
      }
    },
    failure({ accountId, clientId, versionId, code }, now) {
      const minute = now - (now % 60_000);
      const key = `${clientId}|${versionId ?? ''}|${code}|${minute}`;
      const entry = failures.get(key);
      if (entry) entry.count++;
      else failures.set(key, { accountId, clientId, versionId, code, minute, count: 1 });
    },
    pending: () => uses.size + closed.length + failures.size,
    async flush(store, newId) {
      const useBatch = inVersionIdOrder([...closed, ...uses.values()]);
      const failureBatch = [...failures.values()];
      uses = new Map();
      closed = [];
      failures = new Map();
      let slice: UsageUpdate[] = [];
      try {
        // In slices, yielding between them: with many clients a second's uses are thousands of rows,
        // and one synchronous transaction for all of them would hold every request up meanwhile.
        for (;;) {
          slice = take(useBatch, USAGE_FLUSH_SLICE);
          if (slice.length === 0) break;
          await store.applyUsage(slice);
          slice = [];
          await new Promise((resolve) => setImmediate(resolve));
        }
        await store.addFailureAggregates(failureBatch, newId);
      } catch (error) {
        // Keep what was not written for the next flush rather than lose it while the store is away.
        for (const item of slice) keepUse(item);
        for (const item of useBatch) keepUse(item);
        for (const item of failureBatch) {
          const key = `${item.clientId}|${item.versionId ?? ''}|${item.code}|${item.minute}`;
          const entry = failures.get(key);
          if (entry) entry.count += item.count;
          else failures.set(key, item);
        }
        throw error;
      }
    },
  };
}
