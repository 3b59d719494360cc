import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { requirePermission } from '../accounts/require-permission.js';
import { viewClient, type ClientView } from './client-view.js';
import { loadClient } from './load-client.js';
import { lockedSourcesOf } from './locked-sources-of.js';

/** GET /v1/clients/{id}, `rekey clients get`: a client of the caller's account, never its secret. */
export async function getClient(deps: CoreDeps, caller: Caller, clientId: string): Promise<ClientView> {
  await requirePermission(deps, caller, 'credentials.read', 'read a client');
  const client = await loadClient(deps.store, caller.accountId, clientId);
  const now = deps.clock.now();
  return viewClient(client, await deps.store.listVersions(client.id), now, await lockedSourcesOf(deps.store, client, now));
}
