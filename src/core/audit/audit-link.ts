import { createHmac } from 'node:crypto';
import { canonicalJson } from '../kernel/canonical-json.js';
import type { Keyring } from '../kernel/keyring.js';
import type { AuditEvent } from './audit-event.js';

/** An event's place in its account's chain. */
export interface ChainLink {
  seq: number;
  hash: string;
}

export type ChainedAuditEvent = AuditEvent & ChainLink;

/**
 * The hash of one link (SPEC §12): hex HMAC-SHA256 under the audit key of the previous event's hash
 * followed by the RFC 8785 canonical JSON of the event with its position. The first event of an
 * account follows the empty string.
 */
export type AuditSeal = (previousHash: string, event: AuditEvent, seq: number) => string;

/** The fields an event's hash covers: every stored fact, and its position in the chain. */
export function chainedForm(event: AuditEvent, seq: number): Record<string, unknown> {
  return {
    id: event.id,
    accountId: event.accountId,
    at: event.at,
    type: event.type,
    actor: event.actor,
    clientId: event.clientId,
    versionId: event.versionId,
    code: event.code,
    count: event.count,
    data: event.data,
    seq,
  };
}

export function auditSealOf(keyring: Pick<Keyring, 'auditKey'>): AuditSeal {
  const key = keyring.auditKey;
  return (previousHash, event, seq) =>
    createHmac('sha256', key)
      .update(previousHash)
      .update(canonicalJson(chainedForm(event, seq)))
      .digest('hex');
}
