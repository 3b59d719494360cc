import { describe, expect, it } from 'vitest';
import { RekeyError } from '../../kernel/errors.js';
import { PROFILE_DESCRIPTORS, PROFILES, descriptorOf, isProfile, profilesAccepting } from './registry.js';
import { checkSettableFields, settableFieldSchemas } from './settable-fields.js';

const refusal = (run: () => unknown): { code: string; pointer: string | undefined; message: string } => {
  try {
    run();
  } catch (error) {
    if (!(error instanceof RekeyError)) throw error;
    return { code: error.code, pointer: error.fields.errors?.[0]?.pointer, message: error.message };
  }
  throw new Error('expected a refusal');
};

describe('profile descriptors', () => {
  it('name every profile once, in the order lists use', () => {
    expect(PROFILES).toEqual(['integrator', 'oauth', 'apikey', 'tba']);
    expect(isProfile('apikey')).toBe(true);
    expect(isProfile('toString')).toBe(false);
    expect(isProfile('APIKEY')).toBe(false);
  });

  it('route each authentication scheme to the profiles that use it', () => {
    expect(profilesAccepting('basic')).toEqual(['oauth', 'apikey']);
    expect(profilesAccepting('http_signature')).toEqual(['integrator']);
    expect(profilesAccepting('oauth1')).toEqual(['tba']);
  });

  it('keep the rotation verb, the secret field and the consumer key together', () => {
    for (const profile of PROFILES) {
      const descriptor = PROFILE_DESCRIPTORS[profile];
      const resets = descriptor.rotation === 'reset';
      expect(descriptor.secretField === 'consumerSecret', profile).toBe(resets);
      expect(descriptor.hasConsumerKey, profile).toBe(resets);
    }
  });

  it('default only fields the profile declares settable', () => {
    for (const profile of PROFILES) {
      const descriptor = PROFILE_DESCRIPTORS[profile];
      for (const key of Object.keys(descriptor.defaults)) expect(Object.keys(descriptor.settable), `${profile}.${key}`).toContain(key);
    }
  });

  it('give a field shared by profiles one schema', () => {
    const schemas = settableFieldSchemas();
    expect(schemas.get('email')).toBe(PROFILE_DESCRIPTORS.oauth.settable.email);
    expect(schemas.get('email')).toBe(PROFILE_DESCRIPTORS.integrator.settable.email);
    expect([...schemas.keys()].sort()).toEqual(
      [
        'accountLockFailures',
        'accountLockSources',
        'allowHmacSha1',
        'allowedScopes',
        'application',
        'audience',
        'contactName',
        'email',
        'lockScope',
        'lockSeconds',
        'lockWindowSeconds',
        'maxFailedAttempts',
        'sourceLockSeconds',
        'staleSecretsCount',
        'throttleFailuresPerMinute',
        'tokenBasedAuth',
      ].sort(),
    );
  });

  it('keep a recoverable secret only where the server must recompute signatures', () => {
    expect(PROFILE_DESCRIPTORS.integrator.keepsCiphertext({})).toBe(true);
    expect(PROFILE_DESCRIPTORS.tba.keepsCiphertext({})).toBe(true);
    expect(PROFILE_DESCRIPTORS.oauth.keepsCiphertext({})).toBe(false);
    expect(PROFILE_DESCRIPTORS.apikey.keepsCiphertext({})).toBe(false);
    expect(PROFILE_DESCRIPTORS.apikey.keepsCiphertext({ registrationOnly: true })).toBe(true);
  });

  it('refuse the rotation paths a profile does not allow', () => {
    expect(PROFILE_DESCRIPTORS.tba.refuseRotation({}, 'control')?.code).toBe('use_reset');
    expect(PROFILE_DESCRIPTORS.tba.refuseRotation({}, 'reset')).toBeNull();
    expect(PROFILE_DESCRIPTORS.tba.refuseRotation({ ownerAccountId: '42' }, 'reset')).toMatchObject({
      code: 'bundle_managed',
      fields: { ownerAccountId: '42' },
    });
    expect(PROFILE_DESCRIPTORS.apikey.refuseRotation({ registrationOnly: true }, 'control')?.code).toBe('registration_only');
    expect(PROFILE_DESCRIPTORS.apikey.refuseRotation({ registrationOnly: true }, 'registration')).toBeNull();
    expect(PROFILE_DESCRIPTORS.apikey.refuseRotation({}, 'control')).toBeNull();
    expect(PROFILE_DESCRIPTORS.integrator.refuseRotation({}, 'integrator')).toBeNull();
  });

  it('add the profile-only view fields', () => {
    const state = { consumerKey: null, failedAttempts: 3, lockedAt: 1_000, lockedUntil: 5_000 };
    expect(descriptorOf({ profile: 'apikey' }).view({ ...state, fields: {}, lockedSources: 2 }, 4_999)).toEqual({
      locked: true,
      failedAttempts: 3,
      lockedSources: 2,
    });
    expect(descriptorOf({ profile: 'apikey' }).view({ ...state, fields: {} }, 5_000)).toEqual({
      locked: false,
      failedAttempts: 3,
      lockedSources: 0,
    });
    expect(descriptorOf({ profile: 'tba' }).view({ ...state, consumerKey: 'ck_1', fields: {} }, 0)).toEqual({ consumerKey: 'ck_1' });
    expect(descriptorOf({ profile: 'oauth' }).view({ ...state, fields: {} }, 0)).toEqual({});
  });
});

describe('checkSettableFields', () => {
  it('accepts the fields of the profile and keeps nothing else', () => {
    expect(
      checkSettableFields('apikey', { maxFailedAttempts: 5, lockSeconds: null, lockScope: 'source', staleSecretsCount: undefined }),
    ).toEqual({ maxFailedAttempts: 5, lockSeconds: null, lockScope: 'source' });
    expect(checkSettableFields('oauth', { allowedScopes: ['reports.read'], email: 'a@b.example' })).toEqual({
      allowedScopes: ['reports.read'],
      email: 'a@b.example',
    });
  });

  it('refuses a field of another profile with its pointer', () => {
    expect(refusal(() => checkSettableFields('integrator', { allowedScopes: ['x'] }))).toEqual({
      code: 'invalid_request',
      pointer: '/allowedScopes',
      message: '"allowedScopes" does not apply to integrator clients.',
    });
    expect(refusal(() => checkSettableFields('tba', { registrationOnly: true })).pointer).toBe('/registrationOnly');
    expect(refusal(() => checkSettableFields('apikey', { constructor: 1 })).pointer).toBe('/constructor');
  });

  it('refuses values outside the schema', () => {
    expect(refusal(() => checkSettableFields('apikey', { maxFailedAttempts: 0 })).message).toBe('maxFailedAttempts must be >= 1.');
    expect(refusal(() => checkSettableFields('apikey', { maxFailedAttempts: 1.5 })).message).toBe('maxFailedAttempts must be an integer.');
    expect(refusal(() => checkSettableFields('apikey', { lockSeconds: 30 * 86_400 + 1 })).pointer).toBe('/lockSeconds');
    expect(refusal(() => checkSettableFields('apikey', { lockScope: 'everyone' })).message).toBe(
      'lockScope must be one of tiered, keyAccount, source.',
    );
    expect(refusal(() => checkSettableFields('tba', { tokenBasedAuth: 'yes' })).message).toBe('tokenBasedAuth must be a boolean.');
    expect(refusal(() => checkSettableFields('oauth', { email: 'not an email' })).pointer).toBe('/email');
    expect(refusal(() => checkSettableFields('oauth', { allowedScopes: ['a', 'a'] })).message).toBe(
      'allowedScopes must not hold duplicate items.',
    );
    expect(refusal(() => checkSettableFields('oauth', { allowedScopes: ['has"quote'] })).pointer).toBe('/allowedScopes');
    expect(refusal(() => checkSettableFields('oauth', { audience: '' })).pointer).toBe('/audience');
  });
});
