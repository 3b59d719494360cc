import type { Config } from '../config.js';
import type { CoreDeps } from '../core/kernel/index.js';
import type { UsageRecorder } from '../core/auth/index.js';
import type { OAuthRuntime } from '../jose/index.js';
import type { VerificationTally } from './verification-tally.js';
import type { ObservedSources } from './metrics.js';

/** Everything buildApp needs; assembled by main.ts (createApp) or by a test. */
export interface AppDeps {
  core: CoreDeps;
  usage: UsageRecorder;
  config: Config;
  /** The authorization server's state: /oauth/* issues and inspects tokens with it, Bearer authentication verifies them. */
  oauth: OAuthRuntime;
  /** Where log lines go (defaults to stdout). Tests capture them to scan for secrets. */
  logStream?: NodeJS.WritableStream | undefined;
  /** Verifications by method and code for /metrics; buildApp makes one when none is given. */
  verifications?: VerificationTally | undefined;
  /** What /metrics reads from outside the app when scraped (the outbox worker, recorded events). */
  observed?: ObservedSources | undefined;
}
