import { createHash } from 'node:crypto';
import type { Actor } from '../audit/audit-event.js';
import type { Client } from './client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { issueSecretVersion } from './issue-secret-version.js';
import { keyAccountRegenerated } from '../apps/key-account-regenerated.js';
import { loadClient } from './load-client.js';
import { maxGraceSeconds, type RegenerateVia } from './max-grace-seconds.js';
import { descriptorOf } from './profiles/registry.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import { planRotation } from './rotate-secret.js';
import type { Store } from '../kernel/store.js';
import { revokeIssuedTokens } from '../oauth/token-revocations.js';

export interface RegenerateInput {
  graceSeconds: number;
  revokeIssuedTokens?: boolean;
  idempotencyKey?: string;
  /**
   * Self-rotation only: the version that signed the request. Checked under the client's lock, so
   * of concurrent rotations signed with one secret exactly one succeeds; the rest are stale.
   */
  signedWithVersionId?: string;
}

export interface RegenerateResult {
  versionId: string;
  secret: string;
  oldSecretExpiresAt?: string;
  affectedApps?: Array<{ appId: string; name: string }>;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/** Finds a stored response for `key`, or refuses a different request that reuses it. */
export async function replayIdempotent<T>(
  deps: CoreDeps,
  store: Store,
  accountId: string,
  key: string,
  fingerprint: string,
): Promise<T | null> {
  const record = await store.getIdempotency(accountId, key);
  if (!record || record.expiresAt <= deps.clock.now()) return null;
  if (record.fingerprint !== fingerprint) {
    throw new RekeyError('conflict', 'This Idempotency-Key was already used for a different request.', { idempotencyKey: key });
  }
  return JSON.parse(deps.keyring.decrypt(record.responseCiphertext, `idempotency\u0000${accountId}\u0000${key}`)) as T;
}

export async function saveIdempotent(
  deps: CoreDeps,
  store: Store,
  accountId: string,
  key: string,
  fingerprint: string,
  response: unknown,
): Promise<void> {
  const now = deps.clock.now();
  const inserted = await store.insertIdempotency({
    accountId,
    key,
    fingerprint,
    responseCiphertext: deps.keyring.encrypt(JSON.stringify(response), `idempotency\u0000${accountId}\u0000${key}`),
    createdAt: now,
    expiresAt: now + IDEMPOTENCY_TTL_MS,
  });
  if (!inserted) {
    // A concurrent request with the same key got there first: the same request is harmless, a
    // different one (another client, another body) must not commit its own work under the key.
    const existing = await store.getIdempotency(accountId, key);
    if (existing && existing.fingerprint !== fingerprint) {
      throw new RekeyError('conflict', 'This Idempotency-Key was already used for a different request.', { idempotencyKey: key });
    }
  }
}

export function requestFingerprint(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** Checks a client may be regenerated through this path at all (SPEC §3). */
export function assertRegenerable(client: Client, via: 'control' | 'integrator' | 'registration'): void {
  if (client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
  const refusal = descriptorOf(client).refuseRotation(client.fields, via);
  if (refusal) throw new RekeyError(refusal.code, refusal.message, refusal.fields);
}

/**
 * Regenerate (SPEC §3): one transaction that makes a new current version and moves the old one to
 * `previous` (grace) or `retired`. Serialised per client; with an Idempotency-Key, a retry within
 * 24 h gets the same response instead of a second rotation.
 */
export async function regenerateSecret(
  deps: CoreDeps,
  caller: Caller | { accountId: string; actor: Actor; selfService: true },
  clientId: string,
  input: RegenerateInput,
  options: { via: RegenerateVia },
): Promise<RegenerateResult> {
  if ('permissions' in caller) {
    await requirePermission(deps, caller, 'credentials.manage', 'regenerate a secret', { clientId });
  }
  const maxGrace = await maxGraceSeconds(deps, caller.accountId, options.via);
  if (!Number.isInteger(input.graceSeconds) || input.graceSeconds < 0 || input.graceSeconds > maxGrace) {
    const pointer = options.via === 'integrator' ? '/oldSecretValidForSeconds' : '/graceSeconds';
    throw invalid(pointer, `Must be an integer from 0 to ${maxGrace}.`);
  }
  const fingerprint = requestFingerprint(['regenerate', clientId, input.graceSeconds, input.revokeIssuedTokens ?? false]);
  const result = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    if (input.idempotencyKey) {
      const replay = await replayIdempotent<RegenerateResult>(deps, tx, caller.accountId, input.idempotencyKey, fingerprint);
      if (replay) return replay;
    }
    const client = await loadClient(tx, caller.accountId, clientId);
    assertRegenerable(client, options.via);
    const now = deps.clock.now();
    const versions = await tx.listVersions(client.id);
    if (input.signedWithVersionId !== undefined) {
      const signer = versions.find((version) => version.id === input.signedWithVersionId);
      if (signer?.state !== 'current') {
        throw new RekeyError('stale_secret', 'Only the current secret may rotate the integration; sign with the newest secret.');
      }
    }
    const plan = planRotation(versions, { graceSeconds: input.graceSeconds, now });
    for (const version of plan.changed) await tx.updateVersion(version);
    if (input.revokeIssuedTokens === true) await revokeIssuedTokens(deps, tx, client, versions, { now, actor: caller.actor });
    const current = versions.find((version) => version.state === 'current');
    const { version, secret } = issueSecretVersion(deps, client, now, {
      expiresAt: current?.expiresAt !== null && current?.expiresAt !== undefined ? now + (current.expiresAt - current.createdAt) : null,
    });
    await tx.insertVersion(version);
    // Regenerating unlocks a key account (seed 002).
    const wasLocked = client.lockedAt !== null;
    await tx.updateClient({ ...client, failedAttempts: 0, lockedAt: null, lockedUntil: null, updatedAt: now });
    await tx.recordChange(client.id, now);
    const response: RegenerateResult = { versionId: version.id, secret };
    if (plan.oldSecretExpiresAt !== null) response.oldSecretExpiresAt = new Date(plan.oldSecretExpiresAt).toISOString();
    if (descriptorOf(client).locksOut) response.affectedApps = await keyAccountRegenerated(deps, tx, client, caller.actor);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'secret.regenerated',
      actor: caller.actor,
      clientId: client.id,
      versionId: version.id,
      data: {
        graceSeconds: input.graceSeconds,
        via: options.via,
        previousVersionId: current?.id ?? null,
        ...(response.oldSecretExpiresAt ? { oldSecretExpiresAt: response.oldSecretExpiresAt } : {}),
      },
    });
    if (wasLocked) {
      await recordAudit(deps, tx, {
        accountId: client.accountId,
        type: 'client.unlocked',
        actor: caller.actor,
        clientId: client.id,
        data: { reason: 'regenerated' },
      });
    }
    await notifyAdministrators(deps, tx, client.accountId, 'secret.regenerated', {
      subject: `Secret regenerated for ${client.name}`,
      text:
        `A new secret version ${version.id} is now current for client ${client.id} (${client.name}) in account ${client.accountId}.` +
        (response.oldSecretExpiresAt
          ? ` The previous version stays valid until ${response.oldSecretExpiresAt}.`
          : ' The previous version stopped working immediately.'),
      clientId: client.id,
      versionId: version.id,
    });
    if (input.idempotencyKey) await saveIdempotent(deps, tx, caller.accountId, input.idempotencyKey, fingerprint, response);
    deps.fault('before-commit');
    return response;
  });
  deps.fault('after-commit');
  deps.credentials.invalidate(clientId);
  return result;
}
