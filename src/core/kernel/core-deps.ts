import type { Actor } from '../audit/audit-event.js';
import type { Clock } from './clock.js';
import type { CredentialCache } from '../auth/credential-cache.js';
import type { Keyring } from './keyring.js';
import type { Permission } from '../accounts/permissions.js';
import type { Random } from './random.js';
import type { Store } from './store.js';

/** Named moments where a test can make the process die (SPEC §9 crash tests). Inert unless configured. */
export type FaultPoint =
  | 'before-commit'
  | 'after-commit'
  | 'after-send'
  | 'rotate-after-regenerate'
  | 'rotate-before-deploy'
  | 'scheduled-rotation-after-regenerate'
  | 'scheduled-rotation-after-app';

/** What every core command receives: ports, never drivers. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  random: Random;
  keyring: Keyring;
  credentials: CredentialCache;
  fault: (point: FaultPoint) => void;
}

/** Who is calling the control API, with permissions computed live at authentication. */
export interface Caller {
  accountId: string;
  memberId: string;
  actor: Actor;
  permissions: ReadonlySet<Permission>;
}
