import type { Config } from '../config.js';
import type { CoreDeps } from '../core/kernel/index.js';
import type { UsageRecorder } from '../core/auth/index.js';

/** Everything buildApp needs; assembled by main.ts or by a test. */
export interface AppDeps {
  core: CoreDeps;
  usage: UsageRecorder;
  config: Config;
  /** Where log lines go (defaults to stdout). Tests capture them to scan for secrets. */
  logStream?: NodeJS.WritableStream;
}
