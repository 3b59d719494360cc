import type { Page } from '../kernel/page.js';
import type { Client, Profile } from './client.js';
import type { SecretVersion } from './secret-version.js';

export interface IdempotencyRecord {
  accountId: string;
  key: string;
  /** What the key was used for and with which body; a different request with the same key conflicts. */
  fingerprint: string;
  /** The response, encrypted under the data key. */
  responseCiphertext: string;
  createdAt: number;
  expiresAt: number;
}

/** Store port: clients, their secret versions, and the stored responses of idempotent requests. */
export interface CredentialsStore {
  insertClient(client: Client): Promise<void>;
  updateClient(client: Client): Promise<void>;
  /** Serialises concurrent commands on one client until the transaction ends. */
  lockClient(id: string): Promise<void>;
  /** Data-plane lookup by id across accounts. */
  getClient(id: string): Promise<Client | null>;
  listClients(accountId: string, options: { profile?: Profile; cursor?: string; limit: number }): Promise<Page<Client>>;

  insertVersion(version: SecretVersion): Promise<void>;
  updateVersion(version: SecretVersion): Promise<void>;
  listVersions(clientId: string): Promise<SecretVersion[]>;
  /** One secret version by id, whatever its client (signed URLs name the version in `rk_kid`). */
  getVersion(id: string): Promise<SecretVersion | null>;
  /** The version whose keyed secret hash this is, whatever its client or state (leaked-secret reports, SPEC §12). */
  findVersionBySecretHash(secretHash: string): Promise<SecretVersion | null>;

  getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores a response under its key; false when a live record for the key already exists. */
  insertIdempotency(record: IdempotencyRecord): Promise<boolean>;
}
