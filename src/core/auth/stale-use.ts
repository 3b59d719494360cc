/** One attempt with a retired secret, as recorded (SPEC §4.5: who still runs an old secret). */
export interface StaleUse {
  clientId: string;
  versionId: string;
  /** `Rekey-App-Id` as sent; unauthenticated, so a hint, not proof. */
  appId: string | null;
  userAgent: string | null;
  address: string;
  at: number;
}

/** Stale attempts aggregated per (version, app, user agent, address). */
export interface StaleUsage {
  clientId: string;
  versionId: string;
  appId: string | null;
  userAgent: string | null;
  address: string;
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
}
