import type { ProfileDescriptor } from './profile-descriptor.js';
import { CONTACT_NAME, EMAIL } from './shared-fields.js';

export interface IntegratorFields {
  contactName?: string;
  email?: string;
}

/** Integrators (seed 003): sign every request (RFC 9421) and may rotate their own secret. */
export const integratorProfile: ProfileDescriptor<IntegratorFields> = {
  noun: 'integrator',
  settable: { contactName: CONTACT_NAME, email: EMAIL },
  defaults: {},
  schemes: ['http_signature'],
  rotation: 'regenerate',
  secretField: 'secret',
  hasConsumerKey: false,
  locksOut: false,
  issuesAccessTokens: false,
  holdsTokens: false,
  // The server recomputes each signature, so it must be able to recover the secret.
  keepsCiphertext: () => true,
  refuseRotation: () => null,
  view: () => ({}),
};
