import type { CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import type { LeakReporter } from './leak-report.js';

/**
 * Authenticated reports per reporter per minute, counted in the store so every node shares the
 * count (SPEC §12). A scanner batches its matches (up to MAX_LEAK_REPORT_ITEMS per report), so
 * 60 reports a minute is far above what a real one sends while bounding the lookups a stolen
 * reporter key or admin token can make.
 */
export const LEAK_REPORTS_PER_MINUTE = 60;
export const LEAK_REPORT_WINDOW_MS = 60_000;

function throttleKeyOf(reporter: LeakReporter): string {
  return reporter.type === 'reporter_key' ? `leak-report:key:${reporter.keyId}` : `leak-report:admin:${reporter.caller.actor.id}`;
}

/** Counts one report; over the limit it is refused with 429 `rate_limited` and nothing else happens. */
export async function admitLeakReport(deps: Pick<CoreDeps, 'store' | 'clock'>, reporter: LeakReporter): Promise<void> {
  const now = deps.clock.now();
  const window = await deps.store.addThrottleFailure(throttleKeyOf(reporter), now, LEAK_REPORT_WINDOW_MS);
  if (window.failures <= LEAK_REPORTS_PER_MINUTE) return;
  const retryAfter = Math.max(1, Math.ceil((window.windowStart + LEAK_REPORT_WINDOW_MS - now) / 1000));
  throw new RekeyError(
    'rate_limited',
    `At most ${LEAK_REPORTS_PER_MINUTE} leaked-secret reports a minute are accepted from one reporter; retry after ${retryAfter} s.`,
    { retryAfter },
  );
}
