/** One generation of a client's secret (SPEC §1). */
export type VersionState = 'current' | 'previous' | 'retired' | 'revoked';

export interface SecretVersion {
  id: string;
  clientId: string;
  accountId: string;
  state: VersionState;
  /** Pepper-keyed hash of the secret: lookup and bearer/Basic checks. */
  secretHash: string;
  /** AES-256-GCM ciphertext, kept only where a method needs the plaintext server-side. */
  secretCiphertext: string | null;
  createdAt: number;
  expiresAt: number | null;
  /** For `previous`: accepted until this instant. */
  graceUntil: number | null;
  retiredAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  useCount: number;
}

/** How long a retired version's hash is kept to attribute stale use. */
export const RETIRED_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * The state a version has at `now`. A `previous` version whose grace has passed is retired
 * even before any write records it, so a clock is all it takes for a grace period to end.
 */
export function effectiveState(version: SecretVersion, now: number): VersionState {
  if (version.state === 'previous' && (version.graceUntil === null || version.graceUntil <= now)) return 'retired';
  return version.state;
}

export type VersionVerdict = 'ok' | 'stale_secret' | 'revoked' | 'expired';

/** Whether a version, matched by its secret, authenticates at `now`. */
export function versionVerdict(version: SecretVersion, now: number): VersionVerdict {
  const state = effectiveState(version, now);
  if (state === 'revoked') return 'revoked';
  if (state === 'retired') return 'stale_secret';
  if (version.expiresAt !== null && version.expiresAt <= now) return 'expired';
  return 'ok';
}

/** The public view of a version: never the hash, never the ciphertext. */
export interface VersionView {
  versionId: string;
  state: VersionState;
  createdAt: string;
  expiresAt?: string;
  graceUntil?: string;
  lastUsedAt?: string;
  useCount: number;
}

export function viewVersion(version: SecretVersion, now: number): VersionView {
  const view: VersionView = {
    versionId: version.id,
    state: effectiveState(version, now),
    createdAt: new Date(version.createdAt).toISOString(),
    useCount: version.useCount,
  };
  if (version.expiresAt !== null) view.expiresAt = new Date(version.expiresAt).toISOString();
  if (version.graceUntil !== null && view.state === 'previous') view.graceUntil = new Date(version.graceUntil).toISOString();
  if (version.lastUsedAt !== null) view.lastUsedAt = new Date(version.lastUsedAt).toISOString();
  return view;
}
