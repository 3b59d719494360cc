import { profileUsage } from './profile-options.js';

/** How a command that acts for an account finds its admin token. */
const TOKEN = '  --token T          an admin token (default: REKEY_ADMIN_TOKEN)';
const JSON_OPTION = '  --json             one JSON document on stdout';
const YES = '  --yes              skip the confirmation (needed without a terminal)';

/** Printed on stderr by `init` without `--admin-password-file`: the Administrator cannot sign in until a password is set. */
export const PASSWORD_HINT = `The Administrator has no password yet, so they cannot sign in to the console. Set one with:
  rekey members set-password me --password-file F --token <adminToken>    (F holds the password, 8 to 1024 characters)`;

/** One command's help: a summary for `rekey --help` and a usage text per subcommand. */
export interface CommandHelp {
  summary: string;
  /** Usage of the command itself, when it has no subcommands. */
  usage?: string;
  subcommands?: Record<string, string>;
  /** Options every subcommand takes. */
  options?: readonly string[];
}

const ACCOUNT_OPTIONS = [TOKEN, JSON_OPTION] as const;

/**
 * The usage of every command and subcommand. `--help`/`-h` prints from here before the store is
 * opened or anything starts; a test runs `--help` on every entry.
 */
export const COMMAND_HELP: Record<string, CommandHelp> = {
  serve: {
    summary: 'start the API, OAuth endpoints and console on one port',
    usage: `Usage: rekey serve
Environment: REKEY_PORT (8080), REKEY_HOST (127.0.0.1), REKEY_DATABASE_URL (./rekey.db), REKEY_MASTER_KEY / REKEY_MASTER_KEY_FILE,
  REKEY_PUBLIC_URL, REKEY_TRUST_PROXY, REKEY_SMTP_URL, REKEY_LOG_LEVEL`,
  },
  init: {
    summary: 'create the first account, its Administrator and an admin token',
    usage: `Usage: rekey init --account ID --name NAME --admin-email EMAIL [--admin-password-file F] [--json]
  --admin-password-file F   the Administrator's console password (8+ characters); without it, set one later with
                            rekey members set-password me --password-file F --token <adminToken>
On a non-empty database it exits 4 and changes nothing.`,
  },
  migrate: { summary: 'apply pending database migrations', usage: 'Usage: rekey migrate [--json]' },
  clients: {
    summary: 'manage clients and their secret versions',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey clients list [--profile integrator|oauth|apikey|tba] [--limit N]',
      get: 'Usage: rekey clients get <clientId>',
      create: `Usage: rekey clients create --profile PROFILE --name NAME [--expires-in-seconds N] [profile options]\n${profileUsage()}`,
      regenerate: `Usage: rekey clients regenerate <clientId> [--grace-seconds N] [--revoke-issued-tokens] [--idempotency-key K] [--yes]
  --grace-seconds N        the previous secret keeps working for N seconds (default 0)
  --revoke-issued-tokens   OAuth access tokens issued from earlier secrets stop working
${YES}`,
      revoke: `Usage: rekey clients revoke <clientId> <versionId> [--yes]\n${YES}`,
      unlock: 'Usage: rekey clients unlock <clientId>',
      'stale-usage': 'Usage: rekey clients stale-usage <clientId>',
      'rotation-policy':
        'Usage: rekey clients rotation-policy <clientId> --every-days N --mode auto|notify [--warn-days N] [--grace-seconds N]\n       rekey clients rotation-policy <clientId> --clear\n  auto (key accounts): on the due date Rekey regenerates with the grace, writes the new secret into every app slot\n  that holds the key account and redeploys those apps. notify: the administrators are told and the client is marked rotationDue.',
      rotations: 'Usage: rekey clients rotations <clientId> [--limit N] [--cursor C]   (what the rotation scheduler did, newest first)',
      delete: `Usage: rekey clients delete <clientId> [--yes]\n${YES}`,
      reset: `Usage: rekey clients reset <clientId> [--idempotency-key K] [--yes]   (tba: new consumer key and secret)\n${YES}`,
    },
  },
  tokens: {
    summary: 'integration-record (tba) tokens',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey tokens list <clientId>',
      create: 'Usage: rekey tokens create <clientId> --member <memberId|me> --role ROLE',
      revoke: `Usage: rekey tokens revoke <clientId> <tokenId> [--yes]\n${YES}`,
      'revoke-all': `Usage: rekey tokens revoke-all <clientId> [--yes]\n${YES}`,
    },
  },
  members: {
    summary: 'the people of the account',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey members list',
      add: 'Usage: rekey members add --email EMAIL [--role ROLE]… [--password-file F]',
      'set-roles': 'Usage: rekey members set-roles <memberId|me> [--role ROLE]…',
      'set-password': 'Usage: rekey members set-password <memberId|me> --password-file F   (8 to 1024 characters; ends their sessions)',
      remove: `Usage: rekey members remove <memberId> [--yes]\n${YES}`,
    },
  },
  roles: {
    summary: 'built-in and custom roles',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey roles list',
      create: 'Usage: rekey roles create --name NAME [--permission P]…',
      update: 'Usage: rekey roles update <name> [--permission P]…',
      delete: `Usage: rekey roles delete <name> [--yes]\n${YES}`,
    },
  },
  'admin-tokens': {
    summary: 'admin tokens of the account',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey admin-tokens list',
      create: 'Usage: rekey admin-tokens create --name NAME [--permission P]… [--expires-in-seconds S]   (S ≥ 60)',
      revoke: `Usage: rekey admin-tokens revoke <tokenId> [--yes]\n${YES}`,
    },
  },
  bundles: {
    summary: 'share an integration record with other accounts',
    options: [...ACCOUNT_OPTIONS],
    subcommands: { publish: 'Usage: rekey bundles publish <clientId>', install: 'Usage: rekey bundles install <bundleId>' },
  },
  sessions: {
    summary: 'console sessions',
    options: [...ACCOUNT_OPTIONS],
    subcommands: { 'revoke-all': `Usage: rekey sessions revoke-all [--yes]   (ends every console session of the account)\n${YES}` },
  },
  apps: {
    summary: 'apps, their secret slots, app tokens and the guided rotation',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey apps list [--key-account ID]',
      get: 'Usage: rekey apps get <appId>',
      create: 'Usage: rekey apps create --name NAME [--api-key-id ID]',
      update: 'Usage: rekey apps update <appId> [--name NAME] [--api-key-id ID|none]',
      delete: `Usage: rekey apps delete <appId> [--yes]\n${YES}`,
      deploy: 'Usage: rekey apps deploy <appId>',
      undeploy: 'Usage: rekey apps undeploy <appId>',
      'set-secret': 'Usage: rekey apps set-secret <appId> <slot> --key-account ID --value-file F   (the file holds the secret)',
      'delete-secret': `Usage: rekey apps delete-secret <appId> <slot> [--yes]\n${YES}`,
      token: 'Usage: rekey apps token <appId>   (a new app token, shown once; the previous one stops working)',
      rotate: `Usage: rekey apps rotate <keyAccountId> [--grace-seconds N] [--idempotency-key K] [--yes]
  guided rotation: undeploy → regenerate → write slots → deploy
${YES}`,
    },
  },
  register: {
    summary: 'run the portal registration (issues or replaces the portal secret)',
    usage: 'Usage: rekey register --company-id ID --email EMAIL --password-file F [--json]',
  },
  sandboxes: {
    summary: 'sandbox accounts',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      create: 'Usage: rekey sandboxes create [--name NAME]   (prints an admin token for your copy, once)',
      list: 'Usage: rekey sandboxes list',
      refresh: `Usage: rekey sandboxes refresh <sandboxId> [--yes]   (replaces its clients; deletes every access key in it)\n${YES}`,
      'admin-token': 'Usage: rekey sandboxes admin-token <sandboxId>',
    },
  },
  webhooks: {
    summary: 'signed webhook endpoints',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      add: 'Usage: rekey webhooks add <url> [--event TYPE]…   (prints the whsec_ signing secret once)',
      list: 'Usage: rekey webhooks list',
      remove: `Usage: rekey webhooks remove <webhookId> [--yes]\n${YES}`,
    },
  },
  'signed-urls': {
    summary: 'signed URLs',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      create: 'Usage: rekey signed-urls create <url> --ttl-seconds N [--method GET]',
      verify: 'Usage: rekey signed-urls verify <url> [--method GET]',
    },
  },
  audit: {
    summary: 'audit events, newest first',
    options: [...ACCOUNT_OPTIONS],
    subcommands: {
      list: 'Usage: rekey audit list [--type TYPE] [--client ID] [--limit N]',
      verify:
        "Usage: rekey audit verify [--json]\n\nRecomputes the account's audit hash chain; exit 0 when intact, 7 naming the first broken event.",
    },
  },
  outbox: {
    summary: 'queued and sent notifications',
    options: [...ACCOUNT_OPTIONS],
    subcommands: { list: 'Usage: rekey outbox list [--status pending|sent|failed] [--limit N]' },
  },
  'master-key': {
    summary: 're-wrap the data key and pepper under a new master key',
    options: [JSON_OPTION],
    subcommands: { rotate: 'Usage: rekey master-key rotate --new-key-file F   (F holds 32 bytes, base64)' },
  },
  'signing-keys': {
    summary: 'the OAuth access-token signing keys',
    options: [JSON_OPTION],
    subcommands: { rotate: 'Usage: rekey signing-keys rotate [--alg ES256|EdDSA]', list: 'Usage: rekey signing-keys list' },
  },
  accounts: {
    summary: 'further tenants (operators; the database itself is the authority)',
    options: [JSON_OPTION],
    subcommands: {
      create: `Usage: rekey accounts create --account ID --name NAME --admin-email EMAIL [--admin-password-file F] [--json]
  a further account on a database that already has some (same output as init)`,
      list: 'Usage: rekey accounts list   (every account, sandboxes included)',
    },
  },
  'operator-tokens': {
    summary: 'tokens for the operator API (POST/GET /v1/accounts)',
    options: [JSON_OPTION],
    subcommands: {
      create: 'Usage: rekey operator-tokens create --name NAME [--expires-in-seconds N]   (rk_op_…, shown once)',
      list: 'Usage: rekey operator-tokens list',
      revoke: 'Usage: rekey operator-tokens revoke <tokenId>',
    },
  },
};

/** `rekey --help`: every command with its subcommands. */
export function overviewHelp(): string {
  const lines = Object.entries(COMMAND_HELP).map(([name, help]) => {
    const head = help.subcommands ? `${name} ${Object.keys(help.subcommands).join('|')}` : name;
    return head.length > 30 ? `  ${head}\n  ${' '.repeat(30)}${help.summary}` : `  ${head.padEnd(30)}${help.summary}`;
  });
  return `Usage: rekey <command> [options]    (rekey <command> --help for its options)

Commands:
${lines.join('\n')}

Global options: --json (machine-readable output), --help / -h, --version
Environment: REKEY_DATABASE_URL, REKEY_MASTER_KEY / REKEY_MASTER_KEY_FILE, REKEY_PORT, REKEY_HOST, REKEY_PUBLIC_URL, REKEY_ADMIN_TOKEN
Exit codes: 0 ok, 1 unexpected, 2 usage, 3 not found, 4 conflict, 5 authentication/permission, 6 store unreachable`;
}

/** The help for `rekey <command> [<subcommand>]`, or undefined for an unknown command. */
export function commandHelp(command: string, subcommand: string | undefined): string | undefined {
  const help = COMMAND_HELP[command];
  if (!help) return undefined;
  const options = help.options?.length ? `\nOptions:\n${help.options.join('\n')}` : '';
  if (help.usage) return `${help.usage}${options}`;
  const subcommands = help.subcommands ?? {};
  if (subcommand !== undefined && Object.hasOwn(subcommands, subcommand)) return `${subcommands[subcommand]}${options}`;
  return `rekey ${command}: ${help.summary}\n\n${Object.values(subcommands)
    .map((usage) => usage.replace(/^Usage: /, ''))
    .join('\n')}${options}`;
}
