import type { ProfileDescriptor } from './profile-descriptor.js';

export interface TbaFields {
  tokenBasedAuth?: boolean;
  allowHmacSha1?: boolean;
  /** Bundle installations: the bundle, the publishing account and its record (SPEC §5 Bundles). */
  bundleId?: string;
  ownerAccountId?: string;
  sourceClientId?: string;
  /** An installation shows the bundle's current consumer key (never its secret). */
  consumerKey?: string;
}

/** Integration records (seed 000): OAuth 1.0a consumer pair plus tokens; reset, never regenerated. */
export const tbaProfile: ProfileDescriptor<TbaFields> = {
  noun: 'integration record (tba client)',
  settable: {
    tokenBasedAuth: { type: 'boolean', description: 'Whether the record uses token-based authentication (OAuth 1.0a).' },
    allowHmacSha1: { type: 'boolean', description: 'Whether HMAC-SHA1 signatures are accepted besides HMAC-SHA256.' },
  },
  defaults: { tokenBasedAuth: true, allowHmacSha1: false },
  schemes: ['oauth1'],
  rotation: 'reset',
  secretField: 'consumerSecret',
  hasConsumerKey: true,
  locksOut: false,
  issuesAccessTokens: false,
  holdsTokens: true,
  keepsCiphertext: () => true,
  refuseRotation: (fields, path) => {
    if (fields.ownerAccountId !== undefined) {
      return {
        code: 'bundle_managed',
        message: `This integration was installed from a bundle; only its owning account (${fields.ownerAccountId}) manages its credentials.`,
        fields: { ownerAccountId: fields.ownerAccountId },
      };
    }
    return path === 'reset'
      ? null
      : { code: 'use_reset', message: 'Integration records are reset, not regenerated: use POST /v1/clients/{id}/reset.' };
  },
  view: (input) => (input.consumerKey ? { consumerKey: input.consumerKey } : {}),
};
