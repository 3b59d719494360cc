/** Where an attempt came from: recorded for stale-secret usage and used by lockout throttles. */
export interface AuthContext {
  address: string;
  /**
   * The source lockout counts per (SPEC §4.5): the IPv4 address, or the IPv6 /64 as `prefix::/64`.
   * The shell derives it from `address`.
   */
  source: string;
  /** `Rekey-App-Id` header, when an app identifies itself. */
  appId?: string;
  userAgent?: string;
}
