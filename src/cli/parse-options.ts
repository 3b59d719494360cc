import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './output.js';

/** A command's options and positionals; `--json`, `--help`/`-h` and `--yes` are accepted everywhere, anything unknown is a usage error. */
export function parseOptions(args: string[], options: ParseArgsConfig['options']): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({
      args,
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, yes: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
