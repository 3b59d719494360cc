import type { Caller, CoreDeps } from './core-deps.js';
import { RekeyError } from './errors.js';
import { loadClient } from './load-client.js';
import { requirePermission } from './require-permission.js';

/** One attempt with a retired secret, as recorded (SPEC §4.5: who still runs an old secret). */
export interface StaleUse {
  clientId: string;
  versionId: string;
  /** `Rekey-App-Id` as sent; unauthenticated, so a hint, not proof. */
  appId: string | null;
  userAgent: string | null;
  address: string;
  at: number;
}

/** Stale attempts aggregated per (version, app, user agent, address). */
export interface StaleUsage {
  clientId: string;
  versionId: string;
  appId: string | null;
  userAgent: string | null;
  address: string;
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
}

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
  if (client.profile !== 'apikey') throw new RekeyError('conflict', 'Stale-secret usage is recorded for key accounts (apikey clients) only.');
  const usage = await deps.store.listStaleUsage(client.id, STALE_USAGE_LIMIT);
  return { items: usage.map(viewStaleUsage) };
}
