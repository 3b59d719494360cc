import type { CoreDeps } from '../kernel/core-deps.js';
import { RekeyError } from '../kernel/errors.js';
import type { AuthOutcome } from './authenticate-client.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface SignatureNonce {
  /** The signature's keyid: nonces are unique per key. */
  keyId: string;
  nonce: string;
  /** When the nonce may be forgotten: past the window, its signature is refused anyway. */
  expiresAt: number;
}

/**
 * Spends a request signature's nonce once the signature verified (SPEC §4a): a nonce already seen
 * is a replay, refused and counted as a failure of the client that signed it.
 */
export async function spendSignatureNonce(
  deps: Pick<CoreDeps, 'store'>,
  usage: UsageRecorder,
  verified: Extract<AuthOutcome, { ok: true }>,
  signed: SignatureNonce,
  now: number,
): Promise<AuthOutcome> {
  if (await deps.store.claimNonce(`sig:${signed.keyId}`, signed.nonce, signed.expiresAt, now)) return verified;
  const { accountId, clientId, versionId } = verified.identity;
  usage.failure({ accountId, clientId, versionId, code: 'replayed_nonce' }, now);
  return { ok: false, error: new RekeyError('replayed_nonce', 'This nonce was already used; sign every request with a fresh nonce.') };
}
