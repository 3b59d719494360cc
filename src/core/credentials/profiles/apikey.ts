import type { ProfileDescriptor } from './profile-descriptor.js';

/** A key account's lockout policy (SPEC §4 item 5), and the portal key account's marker. */
export interface ApiKeyFields {
  maxFailedAttempts?: number;
  lockSeconds?: number | null;
  throttleFailuresPerMinute?: number;
  lockScope?: 'tiered' | 'keyAccount' | 'source';
  staleSecretsCount?: boolean;
  sourceLockSeconds?: number;
  accountLockFailures?: number;
  accountLockSources?: number;
  lockWindowSeconds?: number;
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
    maxFailedAttempts: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'Failed attempts that lock the failing source (tiered, source) or the key account (keyAccount).',
    },
    lockSeconds: {
      anyOf: [{ type: 'integer', minimum: 1, maximum: 30 * 86_400 }, { type: 'null' }],
      description: 'How long a lock of the whole key account lasts; null: until unlocked.',
    },
    throttleFailuresPerMinute: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: 'Failures per minute before attempts are throttled.',
    },
    lockScope: {
      type: 'string',
      enum: ['tiered', 'keyAccount', 'source'],
      description:
        'What failures lock: tiered (the failing source; the key account only after failures from several sources), keyAccount (the whole key account), or source (only ever the failing source).',
    },
    staleSecretsCount: { type: 'boolean', description: 'Whether attempts with a replaced secret count towards the lock.' },
    sourceLockSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 30 * 86_400,
      description: 'How long a source (an IPv4 address or IPv6 /64) stays locked.',
    },
    accountLockFailures: {
      type: 'integer',
      minimum: 1,
      maximum: 100_000,
      description: 'Tiered: failures within lockWindowSeconds that lock the whole key account.',
    },
    accountLockSources: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'Tiered: distinct sources those failures must come from.',
    },
    lockWindowSeconds: {
      type: 'integer',
      minimum: 60,
      maximum: 86_400,
      description: 'Tiered: the window the key-account-wide failures are counted in.',
    },
  },
  defaults: {
    maxFailedAttempts: 5,
    lockSeconds: null,
    throttleFailuresPerMinute: 30,
    lockScope: 'tiered',
    staleSecretsCount: false,
    sourceLockSeconds: 900,
    accountLockFailures: 50,
    accountLockSources: 3,
    lockWindowSeconds: 900,
  },
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
  view: (input, now) => ({ locked: isLocked(input, now), failedAttempts: input.failedAttempts, lockedSources: input.lockedSources ?? 0 }),
};
