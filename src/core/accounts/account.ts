export type AccountKind = 'production' | 'sandbox';

export interface AccountSettings {
  /** Upper bound for `graceSeconds` on the control API (SPEC §3). */
  maxGraceSeconds: number;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = { maxGraceSeconds: 604_800 };

export interface Account {
  id: string;
  name: string;
  kind: AccountKind;
  parentId: string | null;
  settings: AccountSettings;
  createdAt: number;
}

export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9]{1,32}(_SB[0-9]{1,3})?$/;

export function isValidAccountId(value: string): boolean {
  return ACCOUNT_ID_PATTERN.test(value);
}
