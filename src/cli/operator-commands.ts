import { readFileSync } from 'node:fs';
import {
  CLI_OPERATOR,
  createAccount,
  createOperatorToken,
  listAccounts,
  listOperatorTokens,
  revokeOperatorToken,
} from '../core/operators/index.js';
import type { Runtime } from '../main.js';
import { hashPassword } from '../password-hash.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';
import { parseOptions } from './parse-options.js';

const ACCOUNTS_USAGE = `Usage: rekey accounts <action> …
  create --account ID --name NAME --admin-email EMAIL [--admin-password-file F] [--json]
                                a further account on a database that already has some (same output as init)
  list                          every account, sandboxes included`;

const OPERATOR_TOKENS_USAGE = `Usage: rekey operator-tokens <action> …
  create --name NAME [--expires-in-seconds N]   a token for POST/GET /v1/accounts (rk_op_…, shown once)
  list
  revoke <tokenId>`;

async function passwordHashFrom(file: string | undefined): Promise<string | null> {
  if (!file) return null;
  let password: string;
  try {
    password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new UsageError(`Cannot read --admin-password-file ${file}.`);
  }
  if (password.length < 8) throw new UsageError('The administrator password must be at least 8 characters.');
  return hashPassword(password);
}

/** `rekey accounts …`: tenants (SPEC §13). The CLI acts as the operator: it runs where the master key is. */
export async function accountCommands(args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'create') {
    const { values } = parseOptions(rest, {
      account: { type: 'string' },
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password-file': { type: 'string' },
    });
    if (values.help) return (out.stdout.write(`${ACCOUNTS_USAGE}\n`), EXIT.ok);
    const accountId = values.account as string | undefined;
    const name = values.name as string | undefined;
    const adminEmail = values['admin-email'] as string | undefined;
    if (!accountId || !name || !adminEmail) throw new UsageError('accounts create needs --account, --name and --admin-email.');
    const passwordHash = await passwordHashFrom(values['admin-password-file'] as string | undefined);
    const result = await createAccount(runtime.core, CLI_OPERATOR, { accountId, name, adminEmail, passwordHash });
    if (json) out.stdout.write(`${JSON.stringify(result)}\n`);
    else
      out.stdout.write(
        `Account ${result.accountId} created.\nAdministrator member: ${result.memberId}\nAdmin token (shown once, store it now): ${result.adminToken}\n`,
      );
    return EXIT.ok;
  }
  if (action === 'list') {
    parseOptions(rest, {});
    print(out, { items: await listAccounts(runtime.core) }, json);
    return EXIT.ok;
  }
  if (action === undefined || action === '--help' || action === 'help') {
    out.stdout.write(`${ACCOUNTS_USAGE}\n`);
    return action ? EXIT.ok : EXIT.usage;
  }
  throw new UsageError(`Unknown action "accounts ${action}".\n${ACCOUNTS_USAGE}`);
}

/** `rekey operator-tokens …`: tokens for the operator API. */
export async function operatorTokenCommands(args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'create') {
    const { values } = parseOptions(rest, { name: { type: 'string' }, 'expires-in-seconds': { type: 'string' } });
    if (values.help) return (out.stdout.write(`${OPERATOR_TOKENS_USAGE}\n`), EXIT.ok);
    const name = values.name as string | undefined;
    if (!name) throw new UsageError('operator-tokens create needs --name.');
    const expires = values['expires-in-seconds'] as string | undefined;
    if (expires !== undefined && !/^\d+$/.test(expires)) throw new UsageError('--expires-in-seconds takes a whole number.');
    const created = await createOperatorToken(runtime.core, CLI_OPERATOR, {
      name,
      ...(expires !== undefined ? { expiresInSeconds: Number(expires) } : {}),
    });
    if (json) out.stdout.write(`${JSON.stringify(created)}\n`);
    else out.stdout.write(`Operator token ${created.id} created.\nToken (shown once, store it now): ${created.token}\n`);
    return EXIT.ok;
  }
  if (action === 'list') {
    parseOptions(rest, {});
    print(out, { items: await listOperatorTokens(runtime.core) }, json);
    return EXIT.ok;
  }
  if (action === 'revoke') {
    const { positionals } = parseOptions(rest, {});
    const id = positionals[0];
    if (!id) throw new UsageError('operator-tokens revoke needs a token id.');
    await revokeOperatorToken(runtime.core, CLI_OPERATOR, id);
    if (json) out.stdout.write(`${JSON.stringify({ revoked: id })}\n`);
    else out.stdout.write(`Operator token ${id} revoked.\n`);
    return EXIT.ok;
  }
  if (action === undefined || action === '--help' || action === 'help') {
    out.stdout.write(`${OPERATOR_TOKENS_USAGE}\n`);
    return action ? EXIT.ok : EXIT.usage;
  }
  throw new UsageError(`Unknown action "operator-tokens ${action}".\n${OPERATOR_TOKENS_USAGE}`);
}
