import type { Account } from '../accounts/account.js';

/** The account's portal (SPEC §5 Registration): its key account and the app whose slot holds the secret. */
export interface PortalRegistration {
  accountId: string;
  keyAccountId: string;
  appId: string;
  createdAt: number;
  /** The last successful run; null when a sandbox refresh copied the portal but nobody registered since. */
  registeredAt: number | null;
  runs: number;
}

/** What deleting an account's access keys removed (sandbox refresh). */
export interface AccessKeyPurge {
  secretVersions: number;
  tokens: number;
  adminTokens: number;
  appTokens: number;
  sessions: number;
  /** Consumers (tba clients, possibly of other accounts) whose tokens went: their cached entries must go too. */
  tokenConsumerIds: string[];
}

/** Store port: the portal's registration and sandboxes (signed URLs need only key material and versions). */
export interface PortalStore {
  getPortalRegistration(accountId: string): Promise<PortalRegistration | null>;
  savePortalRegistration(registration: PortalRegistration): Promise<void>;

  listSandboxes(parentId: string): Promise<Account[]>;
  /**
   * Deletes every access key of an account: secret versions, tba tokens, admin tokens, console
   * sessions, apps (with their tokens and slots), stored idempotent responses (they hold secrets),
   * bundle installations and the portal registration. Clients, members and roles stay.
   */
  purgeAccessKeys(accountId: string): Promise<AccessKeyPurge>;
}
