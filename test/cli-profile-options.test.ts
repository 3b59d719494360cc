import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startRekey, type Rekey } from './support/harness.js';

// Flags of `clients create` come from the profile descriptors: one test store is enough.
describe('rekey clients create: profile options from the descriptors', () => {
  let rekey: Rekey;
  let env: Record<string, string>;
  beforeAll(async () => {
    rekey = await startRekey('sqlite');
    env = { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token };
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('sets a key account lockout policy and OAuth contact fields', async () => {
    const key = await runCli(
      [
        'clients',
        'create',
        '--profile',
        'apikey',
        '--name',
        'Policy',
        '--max-failed-attempts',
        '3',
        '--lock-seconds',
        'none',
        '--lock-scope',
        'source',
        '--stale-secrets-count',
        'true',
        '--json',
      ],
      env,
    );
    expect(key.code, key.stderr).toBe(0);
    const created = JSON.parse(key.stdout);
    const view = await rekey.request('GET', `/v1/clients/${created.id}`);
    expect(view.json).toMatchObject({
      maxFailedAttempts: 3,
      lockSeconds: null,
      lockScope: 'source',
      staleSecretsCount: true,
      throttleFailuresPerMinute: 30,
      locked: false,
    });

    const tiered = await runCli(
      [
        'clients',
        'create',
        '--profile',
        'apikey',
        '--name',
        'Tiered',
        '--source-lock-seconds',
        '600',
        '--account-lock-failures',
        '9',
        '--account-lock-sources',
        '4',
        '--lock-window-seconds',
        '1800',
        '--json',
      ],
      env,
    );
    expect(tiered.code, tiered.stderr).toBe(0);
    expect(JSON.parse(tiered.stdout)).toMatchObject({
      lockScope: 'tiered',
      maxFailedAttempts: 5,
      sourceLockSeconds: 600,
      accountLockFailures: 9,
      accountLockSources: 4,
      lockWindowSeconds: 1800,
      locked: false,
      lockedSources: 0,
    });

    const oauth = await runCli(
      [
        'clients',
        'create',
        '--profile',
        'oauth',
        '--name',
        'Reports',
        '--contact-name',
        'Ana',
        '--email',
        'ana@example.com',
        '--application',
        'BI',
        '--allowed-scope',
        'a',
        '--allowed-scope',
        'b',
        '--json',
      ],
      env,
    );
    expect(oauth.code, oauth.stderr).toBe(0);
    expect(JSON.parse(oauth.stdout)).toMatchObject({
      contactName: 'Ana',
      email: 'ana@example.com',
      application: 'BI',
      allowedScopes: ['a', 'b'],
    });

    const tba = await runCli(['clients', 'create', '--profile', 'tba', '--name', 'Record', '--token-based-auth', 'false', '--json'], env);
    expect(tba.code, tba.stderr).toBe(0);
    expect(JSON.parse(tba.stdout)).toMatchObject({ tokenBasedAuth: false, allowHmacSha1: false });
  });

  it('refuses a flag of another profile and a value outside the schema, creating nothing (exit 2)', async () => {
    const before = (await rekey.request('GET', '/v1/clients?limit=200')).json.items.length;
    const cases: Array<[string[], RegExp]> = [
      [['--profile', 'integrator', '--name', 'X', '--allowed-scope', 'a'], /--allowed-scope does not apply to integrator clients/],
      [['--profile', 'apikey', '--name', 'X', '--max-failed-attempts', '0'], /--max-failed-attempts must be >= 1/],
      [['--profile', 'apikey', '--name', 'X', '--lock-scope', 'everyone'], /--lock-scope must be one of tiered, keyAccount, source/],
      [['--profile', 'apikey', '--name', 'X', '--account-lock-sources', '0'], /--account-lock-sources must be >= 1/],
      [['--profile', 'apikey', '--name', 'X', '--lock-window-seconds', '10'], /--lock-window-seconds must be >= 60/],
      [['--profile', 'apikey', '--name', 'X', '--source-lock-seconds', 'soon'], /--source-lock-seconds must be an integer/],
      [['--profile', 'tba', '--name', 'X', '--allow-hmac-sha1', 'yes'], /--allow-hmac-sha1 is true or false/],
      [['--profile', 'oauth', '--name', 'X', '--email', 'nope'], /--email must match pattern/],
      [['--profile', 'nonsense', '--name', 'X'], /--profile apikey \[--max-failed-attempts N\]/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['clients', 'create', ...args], env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect((await rekey.request('GET', '/v1/clients?limit=200')).json.items.length).toBe(before);
  });
});
