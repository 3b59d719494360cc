import type { AccountsStore } from '../accounts/accounts-store.js';
import type { AppsStore } from '../apps/apps-store.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { AuthStore } from '../auth/auth-store.js';
import type { CredentialsStore } from '../credentials/credentials-store.js';
import type { NotifyStore } from '../notify/notify-store.js';
import type { OAuthStore } from '../oauth/oauth-store.js';
import type { OperatorsStore } from '../operators/operators-store.js';
import type { PortalStore } from '../portal/portal-store.js';
import type { RotationStore } from '../rotation/rotation-store.js';
import type { TbaStore } from '../tba/tba-store.js';
import type { KernelStore } from './kernel-store.js';

/**
 * The Store port: plain domain types in and out, nothing of a driver. Each aggregate states what
 * it needs in its own port; this is all of them together. One implementation per database; both
 * pass the same contract suite. Calls inside `transaction` see one snapshot and commit together;
 * a thrown error rolls everything back.
 */
export interface Store
  extends
    KernelStore,
    CredentialsStore,
    AuthStore,
    AccountsStore,
    TbaStore,
    AppsStore,
    OAuthStore,
    PortalStore,
    AuditStore,
    NotifyStore,
    OperatorsStore,
    RotationStore {
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
}
