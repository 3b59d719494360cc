import type { Account } from '../accounts/account.js';
import type { EventType } from '../audit/audit-event.js';
import type { OutboxStatus } from '../notify/outbox-message.js';
import type { SecretVersion } from '../credentials/secret-version.js';

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

/** A URL an account registered for signed webhooks (SPEC §10). */
export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  /** The event types it receives. */
  events: EventType[];
  /** The `whsec_…` signing secret, AES-256-GCM under the data key (AAD = webhookSecretAad(id)). */
  secretCiphertext: string;
  createdAt: number;
}

/** The outcome of one delivery attempt, written after the attempt. */
export interface OutboxSettlement {
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
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

/** Store port: registration, sandboxes, signed URLs, webhooks and outbox settlement. */
export interface RegistrationStore {
  /** Serialises registrations, sandbox creation and refreshes of one account until the transaction ends. */
  lockAccount(accountId: string): Promise<void>;
  listSandboxes(parentId: string): Promise<Account[]>;

  getPortalRegistration(accountId: string): Promise<PortalRegistration | null>;
  savePortalRegistration(registration: PortalRegistration): Promise<void>;

  /** One secret version by id, whatever its client (signed URLs name the version in `rk_kid`). */
  getVersion(id: string): Promise<SecretVersion | null>;

  insertWebhook(endpoint: WebhookEndpoint): Promise<void>;
  getWebhook(id: string): Promise<WebhookEndpoint | null>;
  listWebhooks(accountId: string): Promise<WebhookEndpoint[]>;
  deleteWebhook(id: string): Promise<void>;

  /** Records a delivery attempt's outcome and ends the lease. */
  settleOutbox(id: string, settlement: OutboxSettlement): Promise<void>;

  /** Current or previous versions expiring in (from, until] that were not warned about yet, soonest first. */
  listExpiringVersions(from: number, until: number, limit: number): Promise<SecretVersion[]>;
  /** Records that a version's expiry was announced; false when another node already did. */
  claimExpiryWarning(versionId: string, at: number): Promise<boolean>;

  /**
   * Deletes every access key of an account: secret versions, tba tokens, admin tokens, console
   * sessions, apps (with their tokens and slots), stored idempotent responses (they hold secrets),
   * bundle installations and the portal registration. Clients, members and roles stay.
   */
  purgeAccessKeys(accountId: string): Promise<AccessKeyPurge>;
}
