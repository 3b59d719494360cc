import { readFileSync } from 'node:fs';
import { commandHelp, overviewHelp } from './command-help.js';
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';

/**
 * `rekey`, `rekey --help`/`-h`, `rekey --version` and `--help`/`-h` on any command or subcommand:
 * answered from the usage texts alone, before configuration, the store or the server are loaded
 * (bin/rekey.js tries this before it imports the rest). Undefined when argv asks for something else.
 */
export function helpOrVersion(argv: readonly string[], out: Output): number | undefined {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out.stdout.write(`${overviewHelp()}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '--version' || command === '-v') {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    out.stdout.write(`${rest.includes('--json') ? JSON.stringify({ version }) : `rekey ${version}`}\n`);
    return EXIT.ok;
  }
  const options = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined);
  if (!options.includes('--help') && !options.includes('-h')) return undefined;
  const help = commandHelp(
    command,
    rest.find((arg) => !arg.startsWith('-')),
  );
  if (help === undefined) {
    out.stderr.write(`rekey: Unknown command "${command}". Run rekey --help.\n`);
    return EXIT.usage;
  }
  out.stdout.write(`${help}\n`);
  return EXIT.ok;
}
