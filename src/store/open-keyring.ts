import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import {
  RekeyError,
  createKeyMaterial,
  createKeyring,
  parseMasterKey,
  unwrapKeyMaterial,
  wrapKeyMaterial,
  type Keyring,
  type Random,
  type Store,
} from '../core/kernel/index.js';

export interface KeyringWarning {
  message: string;
}

/**
 * The master key from the environment, or (SQLite only) a generated `rekey.key` beside the database.
 * The warning is given once, by the process that generates the key; later commands stay quiet.
 */
export function resolveMasterKey(config: Config, warn: (message: string) => void): Buffer {
  if (config.masterKey !== null) return parseMasterKey(config.masterKey);
  const path = config.generatedKeyPath;
  if (path === null) throw new RekeyError('invalid_request', 'REKEY_MASTER_KEY or REKEY_MASTER_KEY_FILE is required with PostgreSQL.');
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    warn(
      `Generated a master key in ${path}. Move it somewhere safe and set REKEY_MASTER_KEY_FILE; whoever reads that file can decrypt the secrets in the database.`,
    );
  }
  return parseMasterKey(readFileSync(path, 'utf8'));
}

/**
 * Unwraps the data key and pepper with the master key, creating them on first start. A node
 * whose master key does not match the database's fingerprint refuses to start.
 */
export async function openKeyring(store: Store, masterKey: Buffer, random: Random): Promise<Keyring> {
  let wrapped = await store.getKeyMaterial();
  if (!wrapped) {
    const fresh = wrapKeyMaterial(masterKey, createKeyMaterial(random), random);
    try {
      await store.transaction(async (tx) => {
        if (!(await tx.getKeyMaterial())) await tx.saveKeyMaterial(fresh, { replace: false });
      });
    } catch {
      // Another node created the key material at the same moment; use theirs.
    }
    wrapped = await store.getKeyMaterial();
    if (!wrapped) throw new Error('key material could not be created');
  }
  return createKeyring(unwrapKeyMaterial(masterKey, wrapped), random);
}

/** Re-wraps the data key, pepper and salt under a new master key; stored hashes stay valid. */
export async function rotateMasterKey(store: Store, oldKey: Buffer, newKey: Buffer, random: Random): Promise<{ fingerprint: string }> {
  return store.transaction(async (tx) => {
    const wrapped = await tx.getKeyMaterial();
    if (!wrapped) throw new RekeyError('conflict', 'This database has no key material yet; start Rekey once first.');
    const rewrapped = wrapKeyMaterial(newKey, unwrapKeyMaterial(oldKey, wrapped), random);
    await tx.saveKeyMaterial(rewrapped, { replace: true });
    return { fingerprint: rewrapped.masterFingerprint };
  });
}
