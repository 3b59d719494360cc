import { describe, expect, it } from 'vitest';
import { accessTokenClaims, audienceOf, grantScope, judgeAccessToken, parseAccessTokenClaims } from '../src/core/oauth/access-token.js';
import type { Client } from '../src/core/credentials/client.js';
import type { SecretVersion } from '../src/core/credentials/secret-version.js';
import { isTokenRevoked, tokenRevocationsOf } from '../src/core/oauth/token-revocations.js';

const client: Client = {
  id: 'cli_a',
  accountId: 'acme1',
  profile: 'oauth',
  name: 'A',
  state: 'active',
  fields: { allowedScopes: ['read', 'write'] },
  consumerKey: null,
  failedAttempts: 0,
  lockedAt: null,
  lockedUntil: null,
  rotationPolicy: null,
  createdAt: 0,
  updatedAt: 0,
  deletedAt: null,
};
const version = (id: string, state: SecretVersion['state']): SecretVersion => ({
  id,
  clientId: 'cli_a',
  accountId: 'acme1',
  state,
  secretHash: 'h',
  secretCiphertext: null,
  createdAt: 0,
  expiresAt: null,
  graceUntil: null,
  retiredAt: null,
  revokedAt: null,
  lastUsedAt: null,
  useCount: 0,
});
const none = tokenRevocationsOf({ tokens: [], versions: [] });

describe('grantScope (RFC 6749 §3.3)', () => {
  it('grants every allowed scope by default', () => {
    expect(grantScope(undefined, ['read', 'write'])).toEqual({ ok: true, scope: 'read write' });
    expect(grantScope('  ', [])).toEqual({ ok: true, scope: '' });
  });
  it('grants a subset, deduplicated, in request order', () => {
    expect(grantScope('write read write', ['read', 'write'])).toEqual({ ok: true, scope: 'write read' });
  });
  it('refuses scopes outside the allowed list and malformed scope tokens', () => {
    expect(grantScope('read admin', ['read'])).toMatchObject({ ok: false, message: expect.stringContaining('"admin"') });
    expect(grantScope('re\\ad', ['re\\ad'])).toMatchObject({ ok: false });
    expect(grantScope('read\twrite', ['read', 'write'])).toMatchObject({ ok: false });
  });
});

describe('access token claims', () => {
  it('pins iss, aud, sub = client_id, scope, jti, iat, exp and rk_ver', () => {
    const claims = accessTokenClaims({
      issuer: 'https://rekey.example',
      client,
      versionId: 'ver_1',
      scope: 'read',
      jti: 'j1',
      now: 1_700_000_000_900,
      ttlSeconds: 600,
    });
    expect(claims).toEqual({
      iss: 'https://rekey.example',
      sub: 'cli_a',
      aud: 'https://rekey.example',
      client_id: 'cli_a',
      scope: 'read',
      jti: 'j1',
      iat: 1_700_000_000,
      exp: 1_700_000_600,
      rk_ver: 'ver_1',
    });
    expect(parseAccessTokenClaims({ ...claims })).toEqual(claims);
    expect(audienceOf({ profile: 'oauth', fields: { audience: 'https://api.example' } }, 'https://rekey.example')).toBe(
      'https://api.example',
    );
  });
  it('reads only complete, well-typed claims', () => {
    const claims = accessTokenClaims({ issuer: 'i', client, versionId: 'v', scope: '', jti: 'j', now: 0, ttlSeconds: 60 });
    expect(parseAccessTokenClaims({ ...claims, rk_ver: undefined })).toBeNull();
    expect(parseAccessTokenClaims({ ...claims, client_id: 'cli_other' })).toBeNull();
    expect(parseAccessTokenClaims({ ...claims, aud: ['i'] })).toBeNull();
    expect(parseAccessTokenClaims({ ...claims, exp: 1.5 })).toBeNull();
  });
});

describe('judgeAccessToken', () => {
  const claims = accessTokenClaims({ issuer: 'i', client, versionId: 'ver_1', scope: '', jti: 'j1', now: 100_000, ttlSeconds: 600 });
  const entry = { client, versions: [version('ver_1', 'retired'), version('ver_2', 'current')] };

  it('keeps a token alive when its version was merely rotated out', () => {
    expect(judgeAccessToken(claims, entry, none)).toBeNull();
  });
  it('kills tokens of a revoked version, a deleted client or an unknown version', () => {
    expect(judgeAccessToken(claims, { client, versions: [version('ver_1', 'revoked')] }, none)).toBe('revoked');
    expect(judgeAccessToken(claims, { client: { ...client, state: 'deleted' }, versions: entry.versions }, none)).toBe('revoked');
    expect(judgeAccessToken(claims, { client, versions: [version('ver_9', 'current')] }, none)).toBe('revoked');
  });
  it("kills a revoked jti, and tokens issued up to a version's revocation instant", () => {
    expect(
      judgeAccessToken(
        claims,
        entry,
        tokenRevocationsOf({ tokens: [{ jti: 'j1', clientId: 'cli_a', expiresAt: 0, revokedAt: 0 }], versions: [] }),
      ),
    ).toBe('revoked');
    const byVersion = (revokedAt: number) =>
      tokenRevocationsOf({ tokens: [], versions: [{ clientId: 'cli_a', versionId: 'ver_1', revokedAt }] });
    expect(isTokenRevoked(byVersion(100_000), claims)).toBe(true);
    // Same second, later: refused too (iat has whole seconds).
    expect(isTokenRevoked(byVersion(100_000), { ...claims, iat: 100 })).toBe(true);
    expect(isTokenRevoked(byVersion(100_000), { ...claims, iat: 101 })).toBe(false);
    expect(isTokenRevoked(byVersion(100_000), { ...claims, rk_ver: 'ver_2' })).toBe(false);
  });
});
