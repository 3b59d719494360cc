import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type CoreDeps, RekeyError } from '../core/kernel/index.js';
import {
  DEFAULT_SIGNING_ALGORITHM,
  KEY_REFRESH_MS,
  isPublished,
  isPurgeable,
  isRotationDue,
  planKeyRotation,
  signingKeyAad,
  type SigningAlgorithm,
  type SigningKey,
} from '../core/oauth/index.js';
import type { AccessTokenKey } from './access-token-jwt.js';
import { createAccessTokenSigner, type AccessTokenSigner } from './access-token-signer.js';

/** The key new tokens are signed with. */
export type ActiveSigner = AccessTokenSigner;

/**
 * This node's view of the signing keys: imported keys reused for every token. It re-reads the
 * store every KEY_REFRESH_MS (in the background: the hot path never waits for it), which is also
 * when scheduled rotation happens, and at once (at most once a second) when a token names a kid
 * it does not know — another node or the CLI may have just rotated.
 */
export interface SigningKeyRing {
  /** The active signer; without a promise once the keys are loaded (the token endpoint's hot path). */
  signer(): ActiveSigner | Promise<ActiveSigner>;
  /** Without a promise when the kid is loaded: the Bearer hot path verifies synchronously. */
  verificationKey(kid: string): AccessTokenKey | null | Promise<AccessTokenKey | null>;
  /** Public JWKs of the next, active and still-needed retired keys. */
  jwks(): Promise<JWK[]>;
  refresh(): Promise<void>;
}

interface Loaded {
  key: SigningKey;
  /** For node:crypto's synchronous verify, imported once per kid. */
  keyObject: KeyObject;
  publicJwk: JWK;
}

const KID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;
const MISS_RELOAD_MS = 1000;
const PURGE_EVERY_MS = 300_000;

/** Generates a key pair and seals its private half under the data key. */
export async function newSigningKey(deps: Pick<CoreDeps, 'keyring'>, alg: SigningAlgorithm, now: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg,
    state: 'next',
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    privateCiphertext: deps.keyring.encrypt(JSON.stringify(await exportJWK(privateKey)), signingKeyAad(kid)),
    createdAt: now,
    activatedAt: null,
    retiredAt: null,
  };
}

export interface RotationResult {
  rotated: boolean;
  active: SigningKey;
  retired: SigningKey[];
}

/**
 * `rekey signing-keys rotate` and the schedule: one transaction, serialised across nodes, so at
 * most one key is ever active. With `onlyIfDue`, a node that lost the race to another does nothing.
 */
export async function rotateSigningKeys(
  deps: Pick<CoreDeps, 'store' | 'keyring' | 'clock'>,
  options: { alg?: SigningAlgorithm; onlyIfDue?: boolean } = {},
): Promise<RotationResult> {
  const now = deps.clock.now();
  const current = (await deps.store.listSigningKeys()).find((key) => key.state === 'active');
  const alg = options.alg ?? current?.alg ?? DEFAULT_SIGNING_ALGORITHM;
  // Key generation stays outside the transaction.
  const fresh = { active: await newSigningKey(deps, alg, now), next: await newSigningKey(deps, alg, now) };
  return deps.store.transaction(async (tx) => {
    await tx.lockSigningKeys();
    const keys = await tx.listSigningKeys();
    const active = keys.find((key) => key.state === 'active');
    if (active && options.onlyIfDue && !isRotationDue(active, now)) return { rotated: false, active, retired: [] };
    const plan = planKeyRotation(keys, fresh, { alg, now });
    for (const key of plan.deleted) await tx.deleteSigningKey(key.kid);
    for (const key of plan.changed) await tx.updateSigningKey(key);
    for (const key of plan.inserted) await tx.insertSigningKey(key);
    for (const key of keys) if (isPurgeable(key, now)) await tx.deleteSigningKey(key.kid);
    return { rotated: true, active: plan.active, retired: plan.changed.filter((key) => key.state === 'retired') };
  });
}

/** A stored public JWK as node:crypto's key, checked to be of the type its algorithm needs. */
function publicKeyObject(publicJwk: JWK, alg: SigningAlgorithm): KeyObject {
  const keyObject = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  const expected = alg === 'ES256' ? 'ec' : 'ed25519';
  if (keyObject.asymmetricKeyType !== expected || (alg === 'ES256' && keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1'))
    throw new Error(`The ${alg} verification key ${String(publicJwk.kid)} is not a ${alg === 'ES256' ? 'P-256' : 'Ed25519'} key.`);
  return keyObject;
}

export interface SigningKeyRingOptions {
  tokenTtlSeconds: number;
  /** Called when this node performed a scheduled rotation (an operator wants to see it in the log). */
  onScheduledRotation?: (active: SigningKey, retired: readonly SigningKey[]) => void;
}

export function createSigningKeyRing(deps: Pick<CoreDeps, 'store' | 'keyring' | 'clock'>, options: SigningKeyRingOptions): SigningKeyRing {
  const loaded = new Map<string, Loaded>();
  let signer: ActiveSigner | null = null;
  let loadedAt = -Infinity;
  let lastMissReload = -Infinity;
  let lastPurge = -Infinity;
  let inFlight: Promise<void> | null = null;

  const load = async (): Promise<void> => {
    const now = deps.clock.now();
    let keys = await deps.store.listSigningKeys();
    if (
      isRotationDue(
        keys.find((key) => key.state === 'active'),
        now,
      )
    ) {
      const result = await rotateSigningKeys(deps, { onlyIfDue: true });
      if (result.rotated) options.onScheduledRotation?.(result.active, result.retired);
      keys = await deps.store.listSigningKeys();
    }
    const seen = new Set<string>();
    for (const key of keys) {
      seen.add(key.kid);
      const known = loaded.get(key.kid);
      if (known) {
        known.key = key;
        continue;
      }
      const publicJwk = JSON.parse(key.publicJwk) as JWK;
      loaded.set(key.kid, { key, publicJwk, keyObject: publicKeyObject(publicJwk, key.alg) });
    }
    for (const kid of loaded.keys()) if (!seen.has(kid)) loaded.delete(kid);
    const active = keys.find((key) => key.state === 'active');
    if (active && signer?.kid !== active.kid) {
      const privateJwk = JSON.parse(deps.keyring.decrypt(active.privateCiphertext, signingKeyAad(active.kid))) as JWK;
      signer = createAccessTokenSigner(active.alg, privateJwk as JsonWebKey, active.kid);
    }
    loadedAt = now;
    if (now - lastPurge >= PURGE_EVERY_MS) {
      lastPurge = now;
      await deps.store.purgeRevokedTokens(now).catch(() => 0);
    }
  };

  const reload = (): Promise<void> => {
    inFlight ??= load()
      .catch((error: unknown) => {
        if (error instanceof RekeyError) throw error;
        throw new RekeyError('unavailable', 'The signing keys cannot be read from the store; try again shortly.', { retryAfter: 1 });
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  /** Serves what is loaded; past the refresh interval, refreshes in the background. */
  const current = (): Promise<void> | undefined => {
    if (signer === null) return reload();
    if (deps.clock.now() - loadedAt >= KEY_REFRESH_MS) void reload().catch(() => undefined);
    return undefined;
  };
  const activeSigner = (): ActiveSigner => {
    if (signer === null) throw new RekeyError('unavailable', 'No signing key is active yet; try again shortly.', { retryAfter: 1 });
    return signer;
  };

  return {
    signer() {
      const pending = current();
      return pending === undefined ? activeSigner() : pending.then(activeSigner);
    },
    verificationKey(kid) {
      const pending = current();
      const found = pending === undefined ? loaded.get(kid) : undefined;
      if (found) return { alg: found.key.alg, keyObject: found.keyObject };
      return (async () => {
        await pending;
        const now = deps.clock.now();
        if (!loaded.has(kid) && KID_SHAPE.test(kid) && now - lastMissReload >= MISS_RELOAD_MS) {
          lastMissReload = now;
          await reload();
        }
        const late = loaded.get(kid);
        return late ? { alg: late.key.alg, keyObject: late.keyObject } : null;
      })();
    },
    async jwks() {
      await current();
      const now = deps.clock.now();
      const tokenTtlMs = options.tokenTtlSeconds * 1000;
      const order = { active: 0, next: 1, retired: 2 } as const;
      return [...loaded.values()]
        .filter((entry) => isPublished(entry.key, now, { tokenTtlMs }))
        .sort((a, b) => order[a.key.state] - order[b.key.state] || (b.key.retiredAt ?? 0) - (a.key.retiredAt ?? 0))
        .map((entry) => entry.publicJwk);
    },
    refresh: reload,
  };
}
