import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import { loadClient } from '../credentials/load-client.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { StaleUsage } from './stale-use.js';
import { PROFILE_DESCRIPTORS } from '../credentials/profiles/registry.js';

export type { StaleUse, StaleUsage } from './stale-use.js';

/** The pinned response item of GET /v1/clients/{id}/stale-usage. */
export interface StaleUsageView {
  versionId: string;
  appId?: string;
  userAgent?: string;
  address: string;
  count: number;
  lastSeenAt: string;
}

export const STALE_USAGE_LIMIT = 200;

export function viewStaleUsage(usage: StaleUsage): StaleUsageView {
  return {
    versionId: usage.versionId,
    ...(usage.appId !== null ? { appId: usage.appId } : {}),
    ...(usage.userAgent !== null ? { userAgent: usage.userAgent } : {}),
    address: usage.address,
    count: usage.count,
    lastSeenAt: new Date(usage.lastSeenAt).toISOString(),
  };
}

/** Who used a retired secret of a key account, most recent first. */
export async function listStaleUsage(deps: CoreDeps, caller: Caller, clientId: string): Promise<{ items: StaleUsageView[] }> {
  await requirePermission(deps, caller, 'credentials.read', 'read stale-secret usage', { clientId });
  const client = await loadClient(deps.store, caller.accountId, clientId);
  if (!PROFILE_DESCRIPTORS[client.profile].locksOut)
    throw new RekeyError('conflict', 'Stale-secret usage is recorded for key accounts (apikey clients) only.');
  const usage = await deps.store.listStaleUsage(client.id, STALE_USAGE_LIMIT);
  return { items: usage.map(viewStaleUsage) };
}
