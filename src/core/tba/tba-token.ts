/**
 * An access token of an integration record (SPEC §1): issued for (client, member, role name the
 * member holds). It belongs to the record's account — for a bundle installation, the installer's —
 * and is signed with the consumer pair of `consumerClientId`, the record that holds that pair.
 */
export interface TbaToken {
  id: string;
  /** The integration record the token was issued on (an installation, for bundled records). */
  clientId: string;
  /** The record whose consumer key and secret sign requests with this token. */
  consumerClientId: string;
  /** The token's account: the OAuth 1.0a realm it must be used with. */
  accountId: string;
  memberId: string;
  role: string;
  secretHash: string;
  /** AES-256-GCM ciphertext of the token secret: OAuth 1.0a needs the plaintext to verify signatures. */
  secretCiphertext: string;
  createdAt: number;
  revokedAt: number | null;
  /** Why it was revoked: `revoked` (by a member), `role_removed`, `member_removed`, `client_deleted`. */
  revokedReason: string | null;
}

/** The listed form (pinned by SPEC §5): never the secret, its hash or ciphertext. */
export interface TbaTokenView {
  tokenId: string;
  memberId: string;
  role: string;
  createdAt: string;
}

export function viewToken(token: TbaToken): TbaTokenView {
  return { tokenId: token.id, memberId: token.memberId, role: token.role, createdAt: new Date(token.createdAt).toISOString() };
}

/** Additional authenticated data binding a token secret's ciphertext to its token. */
export function tokenAad(token: Pick<TbaToken, 'id' | 'clientId'>): string {
  return `token\u0000${token.clientId}\u0000${token.id}`;
}
