import { readFileSync } from 'node:fs';
import {
  installBundle,
  publishBundle,
  issueToken,
  listTokens,
  revokeAllTokens,
  revokeToken,
  resetConsumerCredentials,
} from '../core/tba/index.js';
import {
  createAdminToken,
  createMember,
  createRole,
  deleteRole,
  listAdminTokens,
  listMembers,
  listRoles,
  removeMember,
  revokeAdminToken,
  setMemberPassword,
  setMemberRoles,
  updateRole,
  isPermission,
  type Permission,
  revokeAllSessions,
} from '../core/accounts/index.js';
import type { Runtime } from '../main.js';
import { hashPassword } from '../password-hash.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';
import { callerFromToken } from './caller-from-token.js';
import { parseOptions } from './parse-options.js';
import { confirm } from './confirm.js';

const USAGE: Record<string, string> = {
  members:
    'Usage: rekey members list | add --email E [--role R]… [--password-file F] | set-roles <memberId|me> [--role R]… | set-password <memberId|me> --password-file F | remove <memberId>',
  roles: 'Usage: rekey roles list | create --name N [--permission P]… | update <name> [--permission P]… | delete <name>',
  'admin-tokens': 'Usage: rekey admin-tokens list | create --name N [--permission P]… [--expires-in-seconds S] | revoke <tokenId>',
  tokens:
    'Usage: rekey tokens list <clientId> | create <clientId> --member M --role R | revoke <clientId> <tokenId> | revoke-all <clientId>',
  bundles: 'Usage: rekey bundles publish <clientId> | install <bundleId>',
  sessions: 'Usage: rekey sessions revoke-all',
  clients: 'Usage: rekey clients reset <clientId> [--idempotency-key K]',
};

function permissionsOf(values: unknown): Permission[] | undefined {
  if (values === undefined) return undefined;
  const list = values as string[];
  for (const value of list) if (!isPermission(value)) throw new UsageError(`Unknown permission "${value}".`);
  return list as Permission[];
}

function readPassword(file: unknown): string {
  if (typeof file !== 'string') throw new UsageError('--password-file is required.');
  let password: string;
  try {
    password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new UsageError(`Cannot read --password-file ${file}.`);
  }
  if (password.length < 8 || password.length > 1024) throw new UsageError('A password has 8 to 1024 characters.');
  return password;
}

/**
 * `rekey members|roles|admin-tokens|tokens|bundles|sessions …` and `rekey clients reset`: the same
 * core commands the control API runs, with the caller taken from --token or REKEY_ADMIN_TOKEN.
 */
export async function tbaCommands(group: string, args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    token: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', multiple: true },
    permission: { type: 'string', multiple: true },
    name: { type: 'string' },
    member: { type: 'string' },
    'password-file': { type: 'string' },
    'expires-in-seconds': { type: 'string' },
    'idempotency-key': { type: 'string' },
  });
  const usage = (): never => {
    throw new UsageError(USAGE[group] ?? 'Run rekey --help.');
  };
  const [action, ...ids] = positionals;
  const caller = await callerFromToken(runtime, values.token as string | undefined);
  const core = runtime.core;
  const roles = (values.role as string[] | undefined) ?? [];
  const memberIdOf = (id: string): string => (id === 'me' ? caller.memberId : id);
  const done = (message: string, value: unknown): number => {
    print(out, json ? value : message, json);
    return EXIT.ok;
  };

  switch (`${group} ${action ?? ''}`) {
    case 'members list': {
      const items = await listMembers(core, caller);
      if (json) return done('', { items });
      out.stdout.write(
        items.length
          ? `${items.map((member) => `${member.id}  ${member.email}  ${member.roles.join(', ') || '(no roles)'}`).join('\n')}\n`
          : '(no members)\n',
      );
      return EXIT.ok;
    }
    case 'members add': {
      if (typeof values.email !== 'string' || ids.length > 0) return usage();
      const passwordHash = values['password-file'] !== undefined ? await hashPassword(readPassword(values['password-file'])) : null;
      const member = await createMember(core, caller, { email: values.email, roles, passwordHash });
      print(out, member, json);
      return EXIT.ok;
    }
    case 'members set-roles': {
      if (ids.length !== 1) return usage();
      print(out, await setMemberRoles(core, caller, memberIdOf(ids[0]!), roles), json);
      return EXIT.ok;
    }
    case 'members set-password': {
      if (ids.length !== 1) return usage();
      const password = readPassword(values['password-file']);
      await setMemberPassword(core, caller, memberIdOf(ids[0]!), () => hashPassword(password));
      return done("Password set; the member's console sessions ended.", { memberId: memberIdOf(ids[0]!) });
    }
    case 'members remove': {
      if (ids.length !== 1) return usage();
      await confirm(`Remove member ${ids[0]} (their tokens and sessions end)`, values.yes);
      await removeMember(core, caller, ids[0]!);
      return done(`Removed ${ids[0]}; their tokens and sessions ended.`, { removed: ids[0] });
    }

    case 'roles list': {
      const items = await listRoles(core, caller);
      if (json) return done('', { items });
      out.stdout.write(
        `${items.map((role) => `${role.name}${role.builtIn ? ' (built in)' : ''}: ${role.permissions.join(', ') || '(none)'}`).join('\n')}\n`,
      );
      return EXIT.ok;
    }
    case 'roles create': {
      if (typeof values.name !== 'string' || ids.length > 0) return usage();
      print(out, await createRole(core, caller, { name: values.name, permissions: permissionsOf(values.permission) ?? [] }), json);
      return EXIT.ok;
    }
    case 'roles update': {
      if (ids.length !== 1) return usage();
      print(out, await updateRole(core, caller, ids[0]!, permissionsOf(values.permission) ?? []), json);
      return EXIT.ok;
    }
    case 'roles delete': {
      if (ids.length !== 1) return usage();
      await confirm(`Delete role ${ids[0]}`, values.yes);
      await deleteRole(core, caller, ids[0]!);
      return done(`Deleted role ${ids[0]}.`, { deleted: ids[0] });
    }

    case 'admin-tokens list':
      print(out, json ? { items: await listAdminTokens(core, caller) } : await listAdminTokens(core, caller), json);
      return EXIT.ok;
    case 'admin-tokens create': {
      if (typeof values.name !== 'string' || ids.length > 0) return usage();
      const expires = values['expires-in-seconds'] as string | undefined;
      if (expires !== undefined && (!/^\d+$/.test(expires) || Number(expires) < 60))
        throw new UsageError('--expires-in-seconds is an integer of at least 60.');
      const permissions = permissionsOf(values.permission);
      const created = await createAdminToken(core, caller, {
        name: values.name,
        ...(permissions ? { permissions } : {}),
        ...(expires ? { expiresInSeconds: Number(expires) } : {}),
      });
      print(out, created, json);
      if (!json) out.stderr.write('The token above is shown once. Store it now.\n');
      return EXIT.ok;
    }
    case 'admin-tokens revoke': {
      if (ids.length !== 1) return usage();
      await confirm(`Revoke admin token ${ids[0]}`, values.yes);
      await revokeAdminToken(core, caller, ids[0]!);
      return done(`Revoked ${ids[0]}.`, { revoked: ids[0] });
    }

    case 'tokens list': {
      if (ids.length !== 1) return usage();
      const items = await listTokens(core, caller, ids[0]!);
      if (json) return done('', { items });
      out.stdout.write(
        items.length
          ? `${items.map((token) => `${token.tokenId}  ${token.memberId}  ${token.role}  ${token.createdAt}`).join('\n')}\n`
          : '(no tokens)\n',
      );
      return EXIT.ok;
    }
    case 'tokens create': {
      if (ids.length !== 1 || typeof values.member !== 'string' || roles.length !== 1) return usage();
      print(out, await issueToken(core, caller, ids[0]!, { memberId: memberIdOf(values.member), role: roles[0]! }), json);
      if (!json) out.stderr.write('The token secret above is shown once. Store it now.\n');
      return EXIT.ok;
    }
    case 'tokens revoke': {
      if (ids.length !== 2) return usage();
      await confirm(`Revoke token ${ids[1]} of client ${ids[0]}`, values.yes);
      await revokeToken(core, caller, ids[0]!, ids[1]!);
      return done(`Revoked ${ids[1]}.`, { revoked: ids[1] });
    }
    case 'tokens revoke-all': {
      if (ids.length !== 1) return usage();
      await confirm(`Revoke every token of client ${ids[0]}`, values.yes);
      const result = await revokeAllTokens(core, caller, ids[0]!);
      return done(`Revoked ${result.revoked} token(s).`, result);
    }

    case 'bundles publish': {
      if (ids.length !== 1) return usage();
      const { bundle } = await publishBundle(core, caller, ids[0]!);
      return done(`Bundle ${bundle.id} publishes ${bundle.clientId}.`, { bundleId: bundle.id });
    }
    case 'bundles install': {
      if (ids.length !== 1) return usage();
      print(out, await installBundle(core, caller, ids[0]!), json);
      return EXIT.ok;
    }

    case 'sessions revoke-all': {
      await confirm(`End every console session of account ${caller.accountId}`, values.yes);
      const result = await revokeAllSessions(core, caller);
      return done(`Ended ${result.revoked} console session(s).`, result);
    }

    case 'clients reset': {
      if (ids.length !== 1) return usage();
      const key = values['idempotency-key'] as string | undefined;
      await confirm(`Reset the consumer key and secret of client ${ids[0]} (the current pair stops working)`, values.yes);
      print(out, await resetConsumerCredentials(core, caller, ids[0]!, key ? { idempotencyKey: key } : {}), json);
      if (!json) out.stderr.write('The consumer key and secret above are shown once; the previous pair stopped working.\n');
      return EXIT.ok;
    }
    default:
      return usage();
  }
}
