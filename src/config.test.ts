import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('REKEY_LEAK_REPORTER_KEYS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pem = (curve: string): string =>
    generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const withFile = (content: string): NodeJS.ProcessEnv => {
    const file = join(dir, `keys-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    return { REKEY_DATABASE_URL: join(dir, 'rekey.db'), REKEY_LEAK_REPORTER_KEYS_FILE: file };
  };

  it('is optional: no reporter keys by default', () => {
    expect(loadConfig({ REKEY_DATABASE_URL: join(dir, 'rekey.db') }).leakReporterKeys).toEqual([]);
  });

  it('reads an array of {id, publicKey} with P-256 PEM SPKI keys', () => {
    const keys = loadConfig(withFile(JSON.stringify([{ id: 'github-1', publicKey: pem('prime256v1') }]))).leakReporterKeys;
    expect(keys.map((key) => key.id)).toEqual(['github-1']);
    expect(keys[0]!.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('stops with one line naming the variable for a missing file, bad JSON, a bad entry, a duplicate id or another curve', () => {
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ REKEY_LEAK_REPORTER_KEYS_FILE: join(dir, 'missing.json') }, /does not exist/],
      [withFile('not json'), /JSON file/],
      [withFile('{"id":"a"}'), /JSON array/],
      [withFile('[{"publicKey":"x"}]'), /"id"/],
      [withFile('[{"id":"a"}]'), /"publicKey"/],
      [withFile(JSON.stringify([{ id: 'a', publicKey: 'garbage' }])), /PEM/],
      [withFile(JSON.stringify([{ id: 'a', publicKey: pem('secp384r1') }])), /P-256/],
      [
        withFile(
          JSON.stringify([
            { id: 'a', publicKey: pem('prime256v1') },
            { id: 'a', publicKey: pem('prime256v1') },
          ]),
        ),
        /twice/,
      ],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^REKEY_LEAK_REPORTER_KEYS_FILE/);
      expect((error as Error).message).toMatch(message);
    }
  });
});
