import { createHash } from 'node:crypto';
import type { Caller } from '../kernel/core-deps.js';
import { CREDENTIAL_PREFIXES, isWellFormedCredential, type CredentialKind } from '../kernel/credential-format.js';

/**
 * One match of a leaked-secret report (SPEC §12), in the GitHub secret-scanning partner format:
 * the string found, the scanner's name for its type, where it was found and what kind of place
 * that is (`content`, `commit`, `npm`, …). Only `token` is needed; the rest is informational.
 */
export interface LeakReportItem {
  token: string;
  type?: string;
  url?: string;
  source?: string;
}

export type LeakLabel = 'true_positive' | 'false_positive';

/** The answer for one match, in the partner format: it tells the label and nothing else. */
export interface LeakVerdict {
  token_hash: string;
  token_type: string;
  label: LeakLabel;
}

/**
 * Who reports: a reporter key the operator configured (GitHub, or any scanner using its format),
 * which may report any Rekey credential; or a member whose admin token holds
 * `credentials.manage`, whose reports count for their own account's credentials only.
 */
export type LeakReporter = { type: 'reporter_key'; keyId: string } | { type: 'member'; caller: Caller };

/** Matches in one report; a longer report is refused (400) before any lookup. */
export const MAX_LEAK_REPORT_ITEMS = 1000;

/** The hex SHA-256 of the reported string: how the answer names a match without repeating it. */
export function tokenHashOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The kind of Rekey credential a string is, by prefix and checksum (SPEC §2); null for noise. Pure: no storage access. */
export function credentialKindOf(token: string): CredentialKind | null {
  for (const kind of Object.keys(CREDENTIAL_PREFIXES) as CredentialKind[]) {
    if (isWellFormedCredential(token, kind)) return kind;
  }
  return null;
}

/** The type named in the answer: the reporter's own, or Rekey's name for the prefix when it sent none. */
export function tokenTypeOf(item: LeakReportItem): string {
  if (item.type !== undefined && item.type !== '') return item.type;
  const kind = (Object.keys(CREDENTIAL_PREFIXES) as CredentialKind[]).find((candidate) =>
    item.token.startsWith(CREDENTIAL_PREFIXES[candidate]),
  );
  return kind === undefined ? 'unknown' : `rekey_${kind.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
}
