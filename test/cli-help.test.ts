import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../src/cli/command-help.js';
import { EXIT, EXIT_CODES } from '../src/cli/exit-codes.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/stores.js';

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

describe('rekey --help, -h and --version', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rekey-help-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every command in the dispatcher has help', () => {
    const source = readFileSync(new URL('../src/cli/run-cli.ts', import.meta.url), 'utf8');
    const dispatched = [...source.matchAll(/case '([a-z-]+)':/g)].map((match) => match[1]!);
    expect(dispatched.length).toBeGreaterThan(10);
    for (const command of dispatched) expect(Object.keys(COMMAND_HELP), command).toContain(command);
  });

  it('prints the usage of every command and subcommand, exits 0 and opens nothing', async () => {
    const invocations: string[][] = [];
    for (const [command, help] of Object.entries(COMMAND_HELP)) {
      invocations.push([command, '--help'], [command, '-h']);
      for (const subcommand of Object.keys(help.subcommands ?? {})) invocations.push([command, subcommand, '--help']);
    }
    invocations.push(['clients', 'delete', 'cli_x', '-h'], ['clients', 'regenerate', 'cli_x', '--grace-seconds', '60', '--help']);
    const database = join(dir, 'help.db');
    // No admin token and a database path that does not exist: help must not need either.
    const env = { REKEY_DATABASE_URL: database, REKEY_ADMIN_TOKEN: '', REKEY_PORT: '1' };
    const results = await pool(invocations, 8, (args) => runCli(args, env, { timeoutMs: 20_000 }));
    results.forEach((result, index) => {
      const args = invocations[index]!.join(' ');
      expect(result.code, `rekey ${args}: ${result.stderr}`).toBe(0);
      expect(result.stdout, args).toMatch(/Usage: rekey|rekey [a-z-]+: /);
      expect(result.stderr, args).toBe('');
    });
    expect(existsSync(database)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);

    const subcommandHelp = results[invocations.findIndex((args) => args.join(' ') === 'clients regenerate --help')]!;
    for (const option of ['--grace-seconds', '--revoke-issued-tokens', '--idempotency-key', '--yes', '--token', '--json'])
      expect(subcommandHelp.stdout).toContain(option);
    const create = results[invocations.findIndex((args) => args.join(' ') === 'clients create --help')]!;
    for (const option of ['--expires-in-seconds', '--contact-name', '--email', '--application', '--token-based-auth', '--lock-seconds'])
      expect(create.stdout).toContain(option);
  }, 120_000);

  it('rekey -h and rekey --help print the overview; --version the package version', async () => {
    const env = { REKEY_DATABASE_URL: join(dir, 'overview.db') };
    for (const flag of ['-h', '--help']) {
      const result = await runCli([flag], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: rekey <command>');
      for (const command of Object.keys(COMMAND_HELP)) expect(result.stdout).toContain(`  ${command}`);
    }
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const printed = await runCli(['--version'], env);
    expect(printed).toMatchObject({ code: 0, stdout: `rekey ${version}\n`, stderr: '' });
    expect(JSON.parse((await runCli(['--version', '--json'], env)).stdout)).toEqual({ version });
    expect((await runCli(['nonsense', '--help'], env)).code).toBe(2);
    expect(existsSync(join(dir, 'overview.db'))).toBe(false);
  });

  it('maps every signature failure to exit 5 and no error code to "unexpected" except internal', () => {
    for (const code of ['bad_signature', 'replayed_nonce', 'timestamp_out_of_window', 'digest_mismatch'] as const)
      expect(EXIT_CODES[code]).toBe(EXIT.auth);
    const unexpected = Object.entries(EXIT_CODES).filter(([, exit]) => exit === EXIT.unexpected);
    expect(unexpected.map(([code]) => code)).toEqual(['internal']);
  });
});

describe('CLI output and confirmations', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    env = { REKEY_DATABASE_URL: db.url, REKEY_MASTER_KEY: randomBytes(32).toString('base64') };
    const init = await runCli(['init', '--json', '--account', 'acme', '--name', 'Acme', '--admin-email', 'a@acme.test'], env);
    expect(init.code, init.stderr).toBe(0);
    env.REKEY_ADMIN_TOKEN = JSON.parse(init.stdout).adminToken;
  }, 60_000);
  afterAll(async () => {
    await db.drop();
  });

  it('clients list has a Locked column; audit list prints no "undefined"', async () => {
    const key = await runCli(['clients', 'create', '--profile', 'apikey', '--name', 'Key', '--json'], env);
    expect(key.code, key.stderr).toBe(0);
    const oauth = await runCli(['clients', 'create', '--profile', 'oauth', '--name', 'App', '--json'], env);
    expect(oauth.code, oauth.stderr).toBe(0);
    const listed = await runCli(['clients', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+PROFILE\s+STATE\s+LOCKED\s+NAME$/);
    expect(rows.find((row) => row.includes(JSON.parse(key.stdout).id))).toMatch(/apikey\s+active\s+no\s+Key$/);
    expect(rows.find((row) => row.includes(JSON.parse(oauth.stdout).id))).toMatch(/oauth\s+active\s+-\s+App$/);

    const audit = await runCli(['audit', 'list'], env);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('client.created');
    expect(audit.stdout).not.toContain('undefined');
  }, 60_000);

  it('destructive commands need --yes without a terminal, name the target, and change nothing until then', async () => {
    const created = JSON.parse((await runCli(['clients', 'create', '--profile', 'apikey', '--name', 'Doomed', '--json'], env)).stdout);
    const versionId = created.versionId as string;
    const commands = [
      ['clients', 'regenerate', created.id],
      ['clients', 'revoke', created.id, versionId],
      ['clients', 'delete', created.id],
      ['clients', 'reset', created.id],
      ['tokens', 'revoke-all', created.id],
      ['sessions', 'revoke-all'],
      ['sandboxes', 'refresh', 'acme_SB1'],
      ['apps', 'delete', 'app_x'],
      ['webhooks', 'remove', 'whk_x'],
    ];
    for (const args of commands) {
      const refused = await runCli(args, env);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toContain('--yes');
      expect(refused.stderr, args.join(' ')).toContain(args[2] ?? 'acme');
      const json = await runCli([...args, '--json'], env);
      expect(json.code).toBe(2);
      expect(json.stdout).toBe('');
    }
    const view = JSON.parse((await runCli(['clients', 'get', created.id, '--json'], env)).stdout);
    expect(view.versions).toHaveLength(1);
    expect(view.state).toBe('active');

    const regenerated = await runCli(['clients', 'regenerate', created.id, '--yes', '--json'], env);
    expect(regenerated.code, regenerated.stderr).toBe(0);
    const deleted = await runCli(['clients', 'delete', created.id, '--yes', '--json'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse((await runCli(['clients', 'get', created.id, '--json'], env)).stdout).state).toBe('deleted');
  }, 90_000);
});
