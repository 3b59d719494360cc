import { hkdfSync } from 'node:crypto';
import { fieldsOf, type Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { versionAad } from '../kernel/keyring.js';
import { requirePermission } from '../accounts/require-permission.js';
import { effectiveState, versionVerdict, type SecretVersion } from '../credentials/secret-version.js';

/** SPEC §5 Signed URLs: the longest lifetime Rekey signs, and how long a rotated-out version keeps verifying. */
export const SIGNED_URL_MAX_TTL_SECONDS = 172_800;
export const SIGNED_URL_VERIFY_ONLY_MS = 48 * 3600 * 1000;
export const SIGNED_URL_KEY_INFO = 'rekey signed-url';

export type SignedUrlCode = 'ok' | 'bad_signature' | 'expired' | 'revoked';

export interface SignedUrlVerdict {
  valid: boolean;
  code: SignedUrlCode;
  accountId?: string;
  expiresAt?: string;
}

/** Signs a URL with a derived key; supplied by the shell (protocols/signed-url.ts). */
export type UrlSigner = (key: Uint8Array, kid: string, expiresAtSeconds: number) => string;

/** What the shell parsed from a signed URL, with a constant-time check of its signature under a key. */
export interface PresentedSignedUrl {
  kid: string;
  expiresAtSeconds: number;
  matches: (key: Uint8Array) => boolean;
}

/**
 * Key = HKDF-SHA256(IKM = the version's secret as UTF-8, salt = the server-only salt, info =
 * "rekey signed-url"), 32 bytes. Without the salt nobody can derive it, not even from the secret,
 * so the portal app's copy of the secret cannot mint URLs by itself.
 */
export function signedUrlKey(secret: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'utf8'), salt, SIGNED_URL_KEY_INFO, 32));
}

/**
 * Whether URLs signed with `version` still verify at `now` (SPEC §5): revoked versions (and deleted
 * clients) kill their URLs at once; a version rotated out, or past its own expiry, stays
 * verify-only for 48 h — for signed URLs only, never for authentication.
 */
export function signingVersionState(client: Pick<Client, 'state'>, version: SecretVersion, now: number): 'ok' | 'revoked' | 'expired' {
  if (client.state === 'deleted' || version.state === 'revoked') return 'revoked';
  const state = effectiveState(version, now);
  let outOfServiceAt: number | null = null;
  if (state === 'retired') outOfServiceAt = version.retiredAt ?? version.graceUntil ?? version.createdAt;
  if (version.expiresAt !== null && version.expiresAt <= now)
    outOfServiceAt = Math.min(outOfServiceAt ?? version.expiresAt, version.expiresAt);
  if (outOfServiceAt !== null && outOfServiceAt + SIGNED_URL_VERIFY_ONLY_MS <= now) return 'expired';
  return 'ok';
}

/** The portal key account's version that signs now, or `no_credentials`. */
async function signingVersionOf(deps: CoreDeps, accountId: string): Promise<{ client: Client; version: SecretVersion }> {
  const noCredentials = (message: string): RekeyError => new RekeyError('no_credentials', message);
  const registration = await deps.store.getPortalRegistration(accountId);
  if (!registration) throw noCredentials('This account has no portal credentials yet: run the registration (POST /v1/register) first.');
  const client = await deps.store.getClient(registration.keyAccountId);
  if (!client || client.accountId !== accountId || client.state === 'deleted') {
    throw noCredentials('The portal key account is gone: run the registration again.');
  }
  const now = deps.clock.now();
  const version = (await deps.store.listVersions(client.id)).find(
    (candidate) => effectiveState(candidate, now) === 'current' && versionVerdict(candidate, now) === 'ok',
  );
  if (!version || version.secretCiphertext === null)
    throw noCredentials('The portal key account has no active secret (e.g. after a sandbox refresh): run the registration again.');
  return { client, version };
}

/** POST /v1/signed-urls: signs with the portal key account's current version (SPEC §5). */
export async function createSignedUrl(
  deps: CoreDeps,
  caller: Caller,
  input: { ttlSeconds: number },
  sign: UrlSigner,
): Promise<{ url: string; expiresAt: string }> {
  await requirePermission(deps, caller, 'credentials.verify', 'sign a URL');
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 1 || input.ttlSeconds > SIGNED_URL_MAX_TTL_SECONDS) {
    throw invalid('/ttlSeconds', `Must be an integer from 1 to ${SIGNED_URL_MAX_TTL_SECONDS} (48 hours).`);
  }
  const { client, version } = await signingVersionOf(deps, caller.accountId);
  const secret = deps.keyring.decrypt(version.secretCiphertext!, versionAad(client.id, version.id));
  const expiresAtSeconds = Math.floor(deps.clock.now() / 1000) + input.ttlSeconds;
  const url = sign(signedUrlKey(secret, deps.keyring.signedUrlSalt), version.id, expiresAtSeconds);
  return { url, expiresAt: new Date(expiresAtSeconds * 1000).toISOString() };
}

/**
 * POST /v1/signed-urls/verify. Only URLs signed for the caller's own account verify; anything else
 * looks like a bad signature. The signature is checked before any state is told, so a forged URL
 * learns nothing about versions.
 */
export async function verifySignedUrl(deps: CoreDeps, caller: Caller, presented: PresentedSignedUrl | null): Promise<SignedUrlVerdict> {
  await requirePermission(deps, caller, 'credentials.verify', 'verify a signed URL');
  const bad: SignedUrlVerdict = { valid: false, code: 'bad_signature' };
  if (presented === null) return bad;
  const version = await deps.store.getVersion(presented.kid);
  if (!version || version.accountId !== caller.accountId || version.secretCiphertext === null) return bad;
  const client = await deps.store.getClient(version.clientId);
  if (!client || client.accountId !== caller.accountId || fieldsOf(client, 'apikey')?.registrationOnly !== true) return bad;
  const secret = deps.keyring.decrypt(version.secretCiphertext, versionAad(client.id, version.id));
  if (!presented.matches(signedUrlKey(secret, deps.keyring.signedUrlSalt))) return bad;

  const now = deps.clock.now();
  const facts = { accountId: client.accountId, expiresAt: new Date(presented.expiresAtSeconds * 1000).toISOString() };
  const state = signingVersionState(client, version, now);
  if (state === 'revoked') return { valid: false, code: 'revoked', ...facts };
  if (presented.expiresAtSeconds * 1000 <= now || state === 'expired') return { valid: false, code: 'expired', ...facts };
  return { valid: true, code: 'ok', ...facts };
}
