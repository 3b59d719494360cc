import type { CoreDeps } from '../kernel/core-deps.js';
import type { SigningKey } from './signing-key.js';

/**
 * `rekey signing-keys list`: the deployment's access-token signing keys. An operator command, like
 * rotation: the keys belong to the whole deployment, not to one account, so there is no caller.
 */
export function listSigningKeys(deps: Pick<CoreDeps, 'store'>): Promise<SigningKey[]> {
  return deps.store.listSigningKeys();
}
