/** One hour of verifications of one secret version, as the store keeps it. */
export interface UsageBucket {
  versionId: string;
  /** The hour's start, in milliseconds since the epoch. */
  hour: number;
  count: number;
}

export const HOUR_MS = 3_600_000;

/** Hourly buckets older than this are purged; the console shows at most a week. */
export const USAGE_BUCKET_RETENTION_MS = 30 * 86_400_000;

/** The start of the hour that contains `now`. */
export function hourOf(now: number): number {
  return now - (now % HOUR_MS);
}
