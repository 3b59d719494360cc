import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const sdk = fileURLToPath(new URL('../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, { types: string; default: string } | string>;
};

describe('the @rekey/sdk package', () => {
  it('depends on no server package; the frameworks are optional peers', () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['openapi-fetch']);
    for (const peer of Object.keys(manifest.peerDependencies ?? {}))
      expect(manifest.peerDependenciesMeta?.[peer]?.optional, peer).toBe(true);
  });

  it('builds every export, and its portable modules use Web APIs only (no node:*, no Buffer)', async () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect(readdirSync(join(sdk, 'dist'))).toContain(target.types.replace('./dist/', ''));
      if (subpath !== './fastify' && subpath !== './express') await import(`@rekey/sdk${subpath.slice(1)}`);
    }
    // Fastify and Express run on Node only; the rest must also run in browsers and edge runtimes.
    for (const file of readdirSync(join(sdk, 'dist')).filter((name) => name.endsWith('.js') && name !== 'fastify.js')) {
      const text = readFileSync(join(sdk, 'dist', file), 'utf8');
      expect(text, file).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\./);
    }
  });

  it('src/schema.d.ts is what `npm run sdk:types` generates from the current OpenAPI document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-sdk-schema-'));
    try {
      const target = join(dir, 'schema.d.ts');
      execFileSync(process.execPath, [join(root, 'scripts/write-sdk-schema.js'), target], { stdio: 'pipe' });
      expect(readFileSync(target, 'utf8'), 'run `npm run sdk:types` and commit packages/sdk/src/schema.d.ts').toBe(
        readFileSync(join(sdk, 'src/schema.d.ts'), 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
