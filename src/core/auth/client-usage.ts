import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { loadClient } from '../credentials/load-client.js';
import { requirePermission } from '../accounts/require-permission.js';
import { HOUR_MS, hourOf } from './usage-bucket.js';

/** The pinned response item of GET /v1/clients/{id}/usage. */
export interface UsageBucketView {
  versionId: string;
  hour: string;
  count: number;
}

export const MAX_USAGE_HOURS = 168;

/**
 * Verifications per secret version per hour, over the last `hours` hours including the current
 * one, ordered by hour then version: the console's chart of an old secret's traffic draining
 * during its grace period. Counts reach the store with the usage recorder's flush (every 5 s).
 */
export async function listClientUsage(
  deps: CoreDeps,
  caller: Caller,
  clientId: string,
  options: { hours: number },
): Promise<{ buckets: UsageBucketView[] }> {
  await requirePermission(deps, caller, 'credentials.read', 'read usage', { clientId });
  const { hours } = options;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_USAGE_HOURS)
    throw new RekeyError('invalid_request', `hours must be an integer from 1 to ${MAX_USAGE_HOURS}.`);
  const client = await loadClient(deps.store, caller.accountId, clientId);
  const since = hourOf(deps.clock.now()) - (hours - 1) * HOUR_MS;
  const buckets = await deps.store.listUsageBuckets(client.id, since);
  return {
    buckets: buckets.map((bucket) => ({ versionId: bucket.versionId, hour: new Date(bucket.hour).toISOString(), count: bucket.count })),
  };
}
