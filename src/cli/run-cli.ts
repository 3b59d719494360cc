import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { initializeAccount } from '../core/accounts/index.js';
import { RekeyError, parseMasterKey } from '../core/kernel/index.js';
import { createRuntime, serve, type Runtime } from '../main.js';
import { hashPassword } from '../password-hash.js';
import { migrate, rotateMasterKey, resolveMasterKey } from '../store/index.js';
import { appsCommands } from './apps-commands.js';
import { clientCommands } from './client-commands.js';
import { portalCommands } from './portal-commands.js';
import { signingKeyCommands } from './oauth-commands.js';
import { EXIT, EXIT_CODES } from './exit-codes.js';
import { UsageError, type Output } from './output.js';
import { parseOptions } from './parse-options.js';
import { tbaCommands } from './tba-commands.js';
import { rotationCommands } from './rotation-commands.js';
import { PASSWORD_HINT } from './command-help.js';
import { helpOrVersion } from './help-or-version.js';
import { accountCommands, operatorTokenCommands } from './operator-commands.js';

async function withRuntime<T>(config: Config, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  let runtime: Runtime;
  try {
    runtime = await createRuntime(config);
  } catch (error) {
    if (error instanceof RekeyError) throw error;
    throw new RekeyError('unavailable', `Cannot open the store: ${(error as Error).message}`);
  }
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Runs one CLI invocation; returns the process exit code. */
export async function runCli(argv: string[], out: Output = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  try {
    const early = helpOrVersion(argv, out);
    if (early !== undefined) return early;
    const config = loadConfig();
    if (command === 'clients' && (rest[0] === 'rotation-policy' || rest[0] === 'rotations'))
      return await withRuntime(config, (runtime) => rotationCommands(rest, runtime, out, wantsJson));
    if (command === 'clients' && rest[0] === 'reset')
      return await withRuntime(config, (runtime) => tbaCommands('clients', rest, runtime, out, wantsJson));
    switch (command) {
      case 'serve': {
        parseOptions(rest, {});
        await serve(config);
        return -1; // keep running
      }
      case 'init': {
        const { values } = parseOptions(rest, {
          account: { type: 'string' },
          name: { type: 'string' },
          'admin-email': { type: 'string' },
          'admin-password-file': { type: 'string' },
        });
        const account = values.account as string | undefined;
        const name = values.name as string | undefined;
        const adminEmail = values['admin-email'] as string | undefined;
        if (!account || !name || !adminEmail) throw new UsageError('init needs --account, --name and --admin-email.');
        let passwordHash: string | null = null;
        const passwordFile = values['admin-password-file'] as string | undefined;
        if (passwordFile) {
          let password: string;
          try {
            password = readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
          } catch {
            throw new UsageError(`Cannot read --admin-password-file ${passwordFile}.`);
          }
          if (password.length < 8) throw new UsageError('The administrator password must be at least 8 characters.');
          passwordHash = await hashPassword(password);
        }
        const result = await withRuntime(config, (runtime) =>
          initializeAccount(runtime.core, { accountId: account, name, adminEmail, passwordHash }),
        );
        if (wantsJson) out.stdout.write(`${JSON.stringify(result)}\n`);
        else
          out.stdout.write(
            `Account ${result.accountId} created.\nAdministrator member: ${result.memberId}\nAdmin token (shown once, store it now): ${result.adminToken}\n`,
          );
        if (passwordHash === null) out.stderr.write(`${PASSWORD_HINT}\n`);
        return EXIT.ok;
      }
      case 'migrate': {
        parseOptions(rest, {});
        const applied = await withRuntime(config, (runtime) => migrate(runtime.opened.db));
        if (wantsJson) out.stdout.write(`${JSON.stringify({ applied })}\n`);
        else out.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'The database is up to date.\n');
        return EXIT.ok;
      }
      case 'master-key': {
        const { values, positionals } = parseOptions(rest, { 'new-key-file': { type: 'string' } });
        if (positionals[0] !== 'rotate' || !values['new-key-file']) throw new UsageError('Usage: rekey master-key rotate --new-key-file F');
        let newKey: Buffer;
        try {
          newKey = parseMasterKey(readFileSync(values['new-key-file'] as string, 'utf8'));
        } catch {
          throw new UsageError('--new-key-file must name a readable file holding 32 bytes, base64-encoded.');
        }
        const oldKey = resolveMasterKey(config, () => undefined);
        const result = await withRuntime(config, (runtime) => rotateMasterKey(runtime.opened.store, oldKey, newKey, runtime.core.random));
        if (wantsJson) out.stdout.write(`${JSON.stringify(result)}\n`);
        else
          out.stdout.write(
            `Re-wrapped under the new master key (fingerprint ${result.fingerprint}). Start nodes with the new key from now on.\n`,
          );
        return EXIT.ok;
      }
      case 'signing-keys':
        return await withRuntime(config, (runtime) => signingKeyCommands(rest, runtime, out, wantsJson));
      case 'apps':
        return await withRuntime(config, (runtime) => appsCommands(rest, runtime, out, wantsJson));
      case 'accounts':
        return await withRuntime(config, (runtime) => accountCommands(rest, runtime, out, wantsJson));
      case 'operator-tokens':
        return await withRuntime(config, (runtime) => operatorTokenCommands(rest, runtime, out, wantsJson));
      case 'members':
      case 'roles':
      case 'admin-tokens':
      case 'tokens':
      case 'bundles':
      case 'sessions':
        return await withRuntime(config, (runtime) => tbaCommands(command, rest, runtime, out, wantsJson));
      case 'register':
      case 'sandboxes':
      case 'webhooks':
      case 'signed-urls':
        return await withRuntime(config, (runtime) => portalCommands(command, rest, runtime, out, wantsJson));
      case 'clients':
      case 'audit':
      case 'outbox':
        return await withRuntime(config, (runtime) => clientCommands(command, rest, runtime, out, wantsJson));
      default:
        throw new UsageError(`Unknown command "${command}". Run rekey --help.`);
    }
  } catch (error) {
    return reportError(error, out, wantsJson);
  }
}

function reportError(error: unknown, out: Output, wantsJson: boolean): number {
  if (error instanceof UsageError || error instanceof ConfigError) {
    out.stderr.write(wantsJson ? `${JSON.stringify({ error: 'usage', detail: error.message })}\n` : `rekey: ${error.message}\n`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.usage;
  }
  if (error instanceof RekeyError) {
    const exit = EXIT_CODES[error.code];
    out.stderr.write(
      wantsJson ? `${JSON.stringify({ error: error.code, detail: error.message })}\n` : `rekey: ${error.message} (${error.code})\n`,
    );
    return exit;
  }
  const message = (error as Error)?.message ?? String(error);
  const unreachable = /ECONNREFUSED|ENOTFOUND|SQLITE_CANTOPEN|SQLITE_BUSY|unable to open database|timeout/i.test(message);
  out.stderr.write(`rekey: ${unreachable ? 'the store is unreachable: ' : ''}${message}\n`);
  return unreachable ? EXIT.unreachable : EXIT.unexpected;
}
