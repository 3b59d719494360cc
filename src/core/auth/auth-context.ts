/** Where an attempt came from: recorded for stale-secret usage and used by lockout throttles. */
export interface AuthContext {
  address: string;
  /** `Rekey-App-Id` header, when an app identifies itself. */
  appId?: string;
  userAgent?: string;
}
