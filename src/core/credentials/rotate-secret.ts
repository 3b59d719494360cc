import { effectiveState, type SecretVersion } from './secret-version.js';

export interface RotationPlan {
  /** Existing versions whose state changes, as they must be saved. */
  changed: SecretVersion[];
  /** When the superseded version stops authenticating, if a grace period applies. */
  oldSecretExpiresAt: number | null;
}

/**
 * What a regenerate does to the versions a client already has (SPEC §3): the current version
 * becomes `previous` for the grace period (never beyond its own expiry) or `retired` at once;
 * an earlier `previous` is retired immediately, so at most two versions ever authenticate.
 */
export function planRotation(versions: readonly SecretVersion[], options: { graceSeconds: number; now: number }): RotationPlan {
  const { now } = options;
  const changed: SecretVersion[] = [];
  let oldSecretExpiresAt: number | null = null;
  for (const version of versions) {
    const state = effectiveState(version, now);
    if (version.state === 'previous') {
      changed.push({
        ...version,
        state: 'retired',
        graceUntil: null,
        retiredAt: state === 'retired' && version.graceUntil !== null ? version.graceUntil : now,
      });
    } else if (version.state === 'current') {
      let graceUntil = options.graceSeconds > 0 ? now + options.graceSeconds * 1000 : null;
      if (graceUntil !== null && version.expiresAt !== null) graceUntil = Math.min(graceUntil, version.expiresAt);
      if (graceUntil !== null && graceUntil > now) {
        changed.push({ ...version, state: 'previous', graceUntil });
        oldSecretExpiresAt = graceUntil;
      } else {
        changed.push({ ...version, state: 'retired', graceUntil: null, retiredAt: now });
      }
    }
  }
  return { changed, oldSecretExpiresAt };
}

/** Kill one version for good (e.g. after a compromise). */
export function revokeVersion(version: SecretVersion, now: number): SecretVersion {
  return { ...version, state: 'revoked', graceUntil: null, revokedAt: version.revokedAt ?? now };
}
