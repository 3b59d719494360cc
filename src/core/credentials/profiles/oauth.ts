import type { ProfileDescriptor } from './profile-descriptor.js';
import { APPLICATION, CONTACT_NAME, EMAIL, SCOPES } from './shared-fields.js';

export interface OAuthFields {
  contactName?: string;
  email?: string;
  application?: string;
  allowedScopes?: string[];
  audience?: string;
}

/** OAuth 2.0 clients (seed 004): Basic or client_secret_post at the token endpoint; JWT access tokens. */
export const oauthProfile: ProfileDescriptor<OAuthFields> = {
  noun: 'OAuth client',
  settable: {
    contactName: CONTACT_NAME,
    email: EMAIL,
    application: APPLICATION,
    allowedScopes: SCOPES,
    audience: { type: 'string', minLength: 1, maxLength: 500, description: 'The `aud` claim of its access tokens.' },
  },
  defaults: { allowedScopes: [] },
  schemes: ['basic'],
  rotation: 'regenerate',
  secretField: 'secret',
  hasConsumerKey: false,
  locksOut: false,
  issuesAccessTokens: true,
  holdsTokens: false,
  keepsCiphertext: () => false,
  refuseRotation: () => null,
  view: () => ({}),
};
