import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import type { Page } from '../kernel/page.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { Profile } from './client.js';
import { viewClient, type ClientView } from './client-view.js';
import { lockedSourcesOf } from './locked-sources-of.js';

export interface ListClientsInput {
  profile?: Profile;
  cursor?: string;
  limit: number;
}

/** GET /v1/clients, `rekey clients list`: one page of the account's clients as the control API shows them. */
export async function listClients(deps: CoreDeps, caller: Caller, input: ListClientsInput): Promise<Page<ClientView>> {
  await requirePermission(deps, caller, 'credentials.read', 'list clients');
  const page = await deps.store.listClients(caller.accountId, input);
  const now = deps.clock.now();
  const items = await Promise.all(
    page.items.map(async (client) =>
      viewClient(client, await deps.store.listVersions(client.id), now, await lockedSourcesOf(deps.store, client, now)),
    ),
  );
  return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
}
