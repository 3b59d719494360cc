import type { ProfileDescriptor } from './profile-descriptor.js';

/** A key account's lockout policy (SPEC §4 item 5), and the portal key account's marker. */
export interface ApiKeyFields {
  maxFailedAttempts?: number;
  lockSeconds?: number | null;
  throttleFailuresPerMinute?: number;
  lockScope?: 'keyAccount' | 'source';
  staleSecretsCount?: boolean;
  /** The account's portal key account: rotated only by registration. */
  registrationOnly?: boolean;
}

/** A key account is locked from `lockedAt` until `lockedUntil` (null: until unlocked). */
export function isLocked(state: { lockedAt: number | null; lockedUntil: number | null }, now: number): boolean {
  return state.lockedAt !== null && (state.lockedUntil === null || state.lockedUntil > now);
}

/** Key accounts (seed 002): Basic id:secret, lockout, apps hold their secret. */
export const apikeyProfile: ProfileDescriptor<ApiKeyFields> = {
  noun: 'key account (apikey client)',
  settable: {
    maxFailedAttempts: { type: 'integer', minimum: 1, maximum: 1000, description: 'Failed attempts that lock the key account.' },
    lockSeconds: {
      anyOf: [{ type: 'integer', minimum: 1, maximum: 30 * 86_400 }, { type: 'null' }],
      description: 'How long a lock lasts; null: until unlocked.',
    },
    throttleFailuresPerMinute: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: 'Failures per minute before attempts are throttled.',
    },
    lockScope: {
      type: 'string',
      enum: ['keyAccount', 'source'],
      description: 'What a lock applies to: the whole key account, or the failing source address.',
    },
    staleSecretsCount: { type: 'boolean', description: 'Whether attempts with a replaced secret count towards the lock.' },
  },
  defaults: { maxFailedAttempts: 5, lockSeconds: null, throttleFailuresPerMinute: 30, lockScope: 'keyAccount', staleSecretsCount: false },
  schemes: ['basic'],
  rotation: 'regenerate',
  secretField: 'secret',
  hasConsumerKey: false,
  locksOut: true,
  issuesAccessTokens: false,
  holdsTokens: false,
  keepsCiphertext: (fields) => fields.registrationOnly === true,
  refuseRotation: (fields, path) =>
    fields.registrationOnly === true && path !== 'registration'
      ? { code: 'registration_only', message: 'The portal key account is rotated only by running the registration again.' }
      : null,
  view: (input, now) => ({ locked: isLocked(input, now), failedAttempts: input.failedAttempts }),
};
