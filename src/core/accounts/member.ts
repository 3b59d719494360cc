export interface Member {
  id: string;
  accountId: string;
  email: string;
  /** argon2id PHC string, or null for a member who cannot sign in to the console. */
  passwordHash: string | null;
  roles: string[];
  createdAt: number;
  removedAt: number | null;
}

export interface AdminToken {
  id: string;
  accountId: string;
  memberId: string;
  name: string;
  tokenHash: string;
  permissions: string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}
