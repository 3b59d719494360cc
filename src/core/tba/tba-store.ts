import type { TbaToken } from './tba-token.js';

export interface Bundle {
  id: string;
  /** The published integration record, in the owning account. */
  clientId: string;
  accountId: string;
  createdAt: number;
}

/** A bundle installed into another account: a tba record there that signs with the owner's consumer pair. */
export interface Installation {
  /** The installed record (a client of the installer's account). */
  clientId: string;
  bundleId: string;
  sourceClientId: string;
  /** The installer's account. */
  accountId: string;
  installedAt: number;
}

export interface ConsumerKeyMatch {
  clientId: string;
  /** The key was replaced by a reset: answer `stale_secret` rather than an unknown consumer. */
  retired: boolean;
}

/** Store port: Integration records (tba): tokens, consumer keys, bundles and their installations. */
export interface TbaStore {
  insertToken(token: TbaToken): Promise<void>;
  /** Marks the listed tokens revoked; already revoked ones keep their first revocation. */
  revokeTokens(ids: readonly string[], at: number, reason: string): Promise<void>;
  getToken(id: string): Promise<TbaToken | null>;
  /** The token whose keyed secret hash this is, revoked or not (leaked-secret reports, SPEC §12). */
  findTokenBySecretHash(secretHash: string): Promise<TbaToken | null>;
  listTokensOfClient(clientId: string, options: { includeRevoked: boolean }): Promise<TbaToken[]>;
  /** Every token (revoked ones too) signed with `consumerClientId`'s consumer pair: the hot-path cache's load. */
  listTokensOfConsumer(consumerClientId: string): Promise<TbaToken[]>;
  listActiveTokensOfMember(accountId: string, memberId: string): Promise<TbaToken[]>;

  findConsumerKey(consumerKey: string): Promise<ConsumerKeyMatch | null>;
  retireConsumerKey(consumerKey: string, clientId: string, at: number): Promise<void>;

  insertBundle(bundle: Bundle): Promise<void>;
  getBundle(id: string): Promise<Bundle | null>;
  listBundlesOfClient(clientId: string): Promise<Bundle[]>;
  insertInstallation(installation: Installation): Promise<void>;
  getInstallation(clientId: string): Promise<Installation | null>;
  findInstallation(bundleId: string, accountId: string): Promise<Installation | null>;
  listInstallations(sourceClientId: string): Promise<Installation[]>;
}
