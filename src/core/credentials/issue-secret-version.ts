import type { Client } from './client.js';
import { descriptorOf } from './profiles/registry.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { generateCredential } from '../kernel/credential-format.js';
import { versionAad } from '../kernel/keyring.js';
import { newId } from '../kernel/new-id.js';
import type { SecretVersion } from './secret-version.js';

/** Profiles whose methods need the plaintext server-side (signatures, signed URLs). */
export function keepsCiphertext(client: Pick<Client, 'profile' | 'fields'>): boolean {
  return descriptorOf(client).keepsCiphertext(client.fields);
}

/** Generates a new current secret version. The plaintext leaves only in the return value. */
export function issueSecretVersion(
  deps: Pick<CoreDeps, 'random' | 'keyring'>,
  client: Client,
  now: number,
  options: { expiresAt?: number | null } = {},
): { version: SecretVersion; secret: string } {
  const secret = generateCredential('secret', deps.random);
  const id = newId('ver', deps.random);
  const version: SecretVersion = {
    id,
    clientId: client.id,
    accountId: client.accountId,
    state: 'current',
    secretHash: deps.keyring.hash(secret),
    secretCiphertext: keepsCiphertext(client) ? deps.keyring.encrypt(secret, versionAad(client.id, id)) : null,
    createdAt: now,
    expiresAt: options.expiresAt ?? null,
    graceUntil: null,
    retiredAt: null,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
  };
  return { version, secret };
}
