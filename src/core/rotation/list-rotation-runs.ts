import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import type { Page } from '../kernel/page.js';
import { requirePermission } from '../accounts/require-permission.js';
import { loadClient } from '../credentials/load-client.js';
import { viewRotationRun, type RotationRunView } from './rotation-run.js';

/** GET /v1/clients/{id}/rotations, `rekey clients rotations`: what the scheduler did for a client, newest first. */
export async function listRotationRuns(
  deps: CoreDeps,
  caller: Caller,
  clientId: string,
  page: { cursor?: string; limit: number },
): Promise<Page<RotationRunView>> {
  await requirePermission(deps, caller, 'credentials.read', 'list rotation runs', { clientId });
  const client = await loadClient(deps.store, caller.accountId, clientId);
  const runs = await deps.store.listRotationRuns(client.id, page);
  return { items: runs.items.map(viewRotationRun), ...(runs.nextCursor ? { nextCursor: runs.nextCursor } : {}) };
}
