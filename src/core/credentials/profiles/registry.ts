import { apikeyProfile } from './apikey.js';
import { integratorProfile } from './integrator.js';
import { oauthProfile } from './oauth.js';
import type { AuthScheme, ProfileDescriptor } from './profile-descriptor.js';
import { tbaProfile } from './tba.js';

/** Every credential profile, in the order lists and messages name them. Adding one starts here. */
export const PROFILE_DESCRIPTORS = {
  integrator: integratorProfile,
  oauth: oauthProfile,
  apikey: apikeyProfile,
  tba: tbaProfile,
} as const;

export type Profile = keyof typeof PROFILE_DESCRIPTORS;
export const PROFILES = Object.keys(PROFILE_DESCRIPTORS) as readonly Profile[];

/** Each profile's stored settings, as its descriptor declares them. */
export type FieldsByProfile = { [P in Profile]: (typeof PROFILE_DESCRIPTORS)[P] extends ProfileDescriptor<infer F> ? F : never };

export function isProfile(value: string): value is Profile {
  return Object.hasOwn(PROFILE_DESCRIPTORS, value);
}

/** The descriptor of a client's profile, typed by the profile the caller holds. */
export function profileOf<P extends Profile>(profile: P): ProfileDescriptor<FieldsByProfile[P]> {
  return PROFILE_DESCRIPTORS[profile] as unknown as ProfileDescriptor<FieldsByProfile[P]>;
}

/** The descriptor of a stored client, whatever its profile. */
export function descriptorOf(client: { profile: Profile }): ProfileDescriptor<FieldsByProfile[Profile]> {
  return PROFILE_DESCRIPTORS[client.profile] as unknown as ProfileDescriptor<FieldsByProfile[Profile]>;
}

/** The profiles whose secrets authenticate with `scheme`, in registry order. */
export function profilesAccepting(scheme: AuthScheme): readonly Profile[] {
  return PROFILES.filter((profile) => PROFILE_DESCRIPTORS[profile].schemes.includes(scheme));
}
