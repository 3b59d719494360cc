import type { FieldsByProfile, Profile } from './profiles/registry.js';
import type { RotationPolicy } from './rotation-policy.js';

export { PROFILES, type FieldsByProfile, type Profile } from './profiles/registry.js';

export type ClientState = 'active' | 'deleted';

/** Profile-specific settings, stored with the client: one shape per profile (see profiles/). */
export type ClientFields = FieldsByProfile[Profile];

interface ClientRecord {
  id: string;
  accountId: string;
  name: string;
  state: ClientState;
  /** tba: the current consumer key (`ck_…`); rotates on reset. */
  consumerKey: string | null;
  /** apikey lockout state. */
  failedAttempts: number;
  lockedAt: number | null;
  lockedUntil: number | null;
  /** Scheduled rotation (SPEC §12); null: none. */
  rotationPolicy: RotationPolicy | null;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

/** A client of one profile, with that profile's fields. */
export type ClientOf<P extends Profile> = ClientRecord & { profile: P; fields: FieldsByProfile[P] };

export type Client = { [P in Profile]: ClientOf<P> }[Profile];

/** The client's fields when it is of `profile`, else null: a profile check and its fields in one step. */
export function fieldsOf<P extends Profile>(client: { profile: Profile; fields: ClientFields }, profile: P): FieldsByProfile[P] | null {
  return client.profile === profile ? (client.fields as FieldsByProfile[P]) : null;
}
