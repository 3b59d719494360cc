export const PROFILES = ['integrator', 'oauth', 'apikey', 'tba'] as const;
export type Profile = (typeof PROFILES)[number];

export type ClientState = 'active' | 'deleted';

/** Profile-specific settings, stored with the client. Only `name` is required for any profile. */
export interface ClientFields {
  // oauth
  contactName?: string;
  email?: string;
  application?: string;
  allowedScopes?: string[];
  audience?: string;
  // tba
  tokenBasedAuth?: boolean;
  allowHmacSha1?: boolean;
  /** tba bundle installations: the bundle, the publishing account and its record (SPEC §5 Bundles). */
  bundleId?: string;
  ownerAccountId?: string;
  sourceClientId?: string;
  // apikey lockout policy
  maxFailedAttempts?: number;
  lockSeconds?: number | null;
  throttleFailuresPerMinute?: number;
  lockScope?: 'keyAccount' | 'source';
  staleSecretsCount?: boolean;
  /** The account's portal key account: rotated only by registration. */
  registrationOnly?: boolean;
}

export interface Client {
  id: string;
  accountId: string;
  profile: Profile;
  name: string;
  state: ClientState;
  fields: ClientFields;
  /** tba: the current consumer key (`ck_…`); rotates on reset. */
  consumerKey: string | null;
  /** apikey lockout state. */
  failedAttempts: number;
  lockedAt: number | null;
  lockedUntil: number | null;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}
