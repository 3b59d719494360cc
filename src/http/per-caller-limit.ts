/** Callers remembered at most; past it, ended windows are dropped first, then everything. */
const MAX_CALLERS = 10_000;
const WINDOW_MS = 60_000;

/**
 * A fixed one-minute window per caller, in this node's memory: `take` counts one call and answers
 * null while the caller is within `perMinute`, or the seconds until its window ends once over.
 */
export function createPerCallerLimit(perMinute: number, now: () => number): { take(caller: string): number | null } {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(caller) {
      const at = now();
      const start = at - (at % WINDOW_MS);
      let window = windows.get(caller);
      if (!window || window.start !== start) {
        if (windows.size >= MAX_CALLERS) {
          for (const [key, value] of windows) if (value.start !== start) windows.delete(key);
          if (windows.size >= MAX_CALLERS) windows.clear();
        }
        window = { start, count: 0 };
        windows.set(caller, window);
      }
      if (window.count >= perMinute) return Math.max(1, Math.ceil((start + WINDOW_MS - at) / 1000));
      window.count += 1;
      return null;
    },
  };
}
