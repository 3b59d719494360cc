import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Client } from '../src/core/credentials/client.js';
import type { SecretVersion } from '../src/core/credentials/secret-version.js';
import { SIGNED_URL_VERIFY_ONLY_MS, signedUrlKey, signingVersionState } from '../src/core/portal/signed-urls.js';
import { canonicalSignedUrlInput, parseSignedUrl, signUrl } from '../src/protocols/signed-url.js';

interface KeyVector {
  name: string;
  secret: string;
  saltHex: string;
  expected: { keyHex: string };
  url: { method: string; url: string; kid: string; expiresAtSeconds: number; expected: { canonicalInput: string; signature: string } };
}

const { vectors } = JSON.parse(readFileSync(new URL('./vectors/signed-url-key.json', import.meta.url), 'utf8')) as { vectors: KeyVector[] };

describe('signed-URL key derivation (HKDF-SHA256 with the server-only salt)', () => {
  it.each(vectors.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const key = signedUrlKey(vector.secret, Buffer.from(vector.saltHex, 'hex'));
    expect(Buffer.from(key).toString('hex')).toBe(vector.expected.keyHex);
    const signed = signUrl({
      method: vector.url.method,
      url: vector.url.url,
      key,
      kid: vector.url.kid,
      expiresAtSeconds: vector.url.expiresAtSeconds,
    });
    expect(canonicalSignedUrlInput(vector.url.method, signed)).toBe(vector.url.expected.canonicalInput);
    expect(new URL(signed).searchParams.get('rk_sig')).toBe(vector.url.expected.signature);
    const parsed = parseSignedUrl(vector.url.method, signed);
    expect(parsed.ok && parsed.kid === vector.url.kid && parsed.exp === vector.url.expiresAtSeconds).toBe(true);
  });

  it('depends on the salt: the secret alone does not give the key', () => {
    const vector = vectors[0]!;
    const other = signedUrlKey(vector.secret, Buffer.alloc(32, 7));
    expect(Buffer.from(other).toString('hex')).not.toBe(vector.expected.keyHex);
  });
});

describe('which versions still verify signed URLs', () => {
  const now = 1_800_000_000_000;
  const client = { state: 'active' } as Pick<Client, 'state'>;
  const version = (overrides: Partial<SecretVersion>): SecretVersion => ({
    id: 'ver_x',
    clientId: 'cli_x',
    accountId: 'acme1',
    state: 'current',
    secretHash: '',
    secretCiphertext: 'v1.x',
    createdAt: now - 1000,
    expiresAt: null,
    graceUntil: null,
    retiredAt: null,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
    ...overrides,
  });

  it('current and previous versions verify', () => {
    expect(signingVersionState(client, version({}), now)).toBe('ok');
    expect(signingVersionState(client, version({ state: 'previous', graceUntil: now + 1000 }), now)).toBe('ok');
  });
  it('a rotated-out version stays verify-only for 48 h, then its URLs are expired', () => {
    expect(signingVersionState(client, version({ state: 'retired', retiredAt: now - SIGNED_URL_VERIFY_ONLY_MS + 1 }), now)).toBe('ok');
    expect(signingVersionState(client, version({ state: 'retired', retiredAt: now - SIGNED_URL_VERIFY_ONLY_MS }), now)).toBe('expired');
    // A grace period that ended counts from its end.
    expect(signingVersionState(client, version({ state: 'previous', graceUntil: now - 1000 }), now)).toBe('ok');
    expect(signingVersionState(client, version({ state: 'previous', graceUntil: now - SIGNED_URL_VERIFY_ONLY_MS - 1 }), now)).toBe(
      'expired',
    );
  });
  it('a version past its own expiry is verify-only for 48 h as well', () => {
    expect(signingVersionState(client, version({ expiresAt: now - 1000 }), now)).toBe('ok');
    expect(signingVersionState(client, version({ expiresAt: now - SIGNED_URL_VERIFY_ONLY_MS - 1 }), now)).toBe('expired');
  });
  it('revocation and deletion kill URLs at once', () => {
    expect(signingVersionState(client, version({ state: 'revoked', revokedAt: now }), now)).toBe('revoked');
    expect(signingVersionState({ state: 'deleted' }, version({}), now)).toBe('revoked');
  });
});
