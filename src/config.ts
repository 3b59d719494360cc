import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseReporterPublicKey, type ReporterKey } from './protocols/secret-scanning-report.js';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly trustProxy: boolean;
  readonly store: StoreLocation;
  /** Base64 master key, when given by REKEY_MASTER_KEY or REKEY_MASTER_KEY_FILE. */
  readonly masterKey: string | null;
  /** Where a generated key lives for an SQLite store when none is given. */
  readonly generatedKeyPath: string | null;
  readonly smtpUrl: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly accessTokenTtlSeconds: number;
  readonly webhookAllow: readonly string[];
  /** How long an outbox worker owns a leased message before another may retry it (REKEY_OUTBOX_LEASE_SECONDS). */
  readonly outboxLeaseSeconds: number;
  /** POST /v1/verify calls with `sourceAddress` each caller may make per minute on one node (REKEY_VERIFY_FORWARDED_PER_MINUTE). */
  readonly verifyForwardedPerMinute: number;
  /** Keys whose signed leaked-secret reports POST /v1/leaks accepts (REKEY_LEAK_REPORTER_KEYS_FILE); none by default. */
  readonly leakReporterKeys: readonly ReporterKey[];
  /** Test-only fault point; inert unless set. */
  readonly fault: string | null;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}").`);
  }
  return Number(raw);
}

function parseStore(value: string | undefined): StoreLocation {
  const raw = value && value.trim() !== '' ? value.trim() : './rekey.db';
  if (/^postgres(ql)?:\/\//.test(raw)) return { kind: 'postgres', url: raw };
  if (raw.startsWith('sqlite://')) return { kind: 'sqlite', path: resolve(raw.slice('sqlite://'.length)) };
  if (raw.startsWith('sqlite:')) return { kind: 'sqlite', path: resolve(raw.slice('sqlite:'.length)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw))
    throw new ConfigError(`REKEY_DATABASE_URL must be a file path, sqlite:path or postgres:// URL (got a ${raw.split(':')[0]} URL).`);
  return { kind: 'sqlite', path: resolve(raw) };
}

const LEAK_KEYS = 'REKEY_LEAK_REPORTER_KEYS_FILE';

/**
 * The reporter keys of leaked-secret reports (SPEC §12): a JSON array `[{"id","publicKey"}]`,
 * `publicKey` a PEM SPKI P-256 key — the shape of GitHub's published secret-scanning keys.
 */
function loadLeakReporterKeys(file: string | undefined): ReporterKey[] {
  if (file === undefined || file === '') return [];
  if (!existsSync(file)) throw new ConfigError(`${LEAK_KEYS} names a file that does not exist: ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(`${LEAK_KEYS} must name a JSON file: [{"id": "...", "publicKey": "-----BEGIN PUBLIC KEY-----..."}].`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(`${LEAK_KEYS} must hold a JSON array of {"id", "publicKey"} objects.`);
  const keys: ReporterKey[] = [];
  parsed.forEach((entry: unknown, index) => {
    const { id, publicKey } = (entry ?? {}) as { id?: unknown; publicKey?: unknown };
    if (typeof id !== 'string' || !/^[\x21-\x7E]{1,200}$/.test(id))
      throw new ConfigError(`${LEAK_KEYS}: entry ${index} needs an "id" of 1–200 visible ASCII characters.`);
    if (keys.some((key) => key.id === id)) throw new ConfigError(`${LEAK_KEYS}: the id "${id}" appears twice.`);
    if (typeof publicKey !== 'string') throw new ConfigError(`${LEAK_KEYS}: entry "${id}" needs a "publicKey" (PEM SPKI).`);
    try {
      keys.push({ id, publicKey: parseReporterPublicKey(publicKey) });
    } catch (error) {
      throw new ConfigError(`${LEAK_KEYS}: the publicKey of "${id}" ${(error as Error).message}.`);
    }
  });
  return keys;
}

/** Reads the environment once into a frozen Config, or throws one clear line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'REKEY_PORT', 8080, 0, 65535);
  const host = env.REKEY_HOST && env.REKEY_HOST !== '' ? env.REKEY_HOST : '127.0.0.1';
  const store = parseStore(env.REKEY_DATABASE_URL);

  let publicUrl =
    env.REKEY_PUBLIC_URL && env.REKEY_PUBLIC_URL !== ''
      ? env.REKEY_PUBLIC_URL
      : `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    const parsed = new URL(publicUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    publicUrl = parsed.origin + parsed.pathname.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`REKEY_PUBLIC_URL must be an http(s) URL (got "${publicUrl}").`);
  }

  let masterKey: string | null = null;
  if (env.REKEY_MASTER_KEY && env.REKEY_MASTER_KEY !== '') {
    masterKey = env.REKEY_MASTER_KEY.trim();
  } else if (env.REKEY_MASTER_KEY_FILE && env.REKEY_MASTER_KEY_FILE !== '') {
    if (!existsSync(env.REKEY_MASTER_KEY_FILE))
      throw new ConfigError(`REKEY_MASTER_KEY_FILE names a file that does not exist: ${env.REKEY_MASTER_KEY_FILE}`);
    masterKey = readFileSync(env.REKEY_MASTER_KEY_FILE, 'utf8').trim();
  }
  if (masterKey !== null) {
    const bytes = Buffer.from(masterKey, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(masterKey) || bytes.length !== 32) {
      throw new ConfigError('REKEY_MASTER_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`).');
    }
  }
  if (masterKey === null && store.kind === 'postgres') {
    throw new ConfigError('REKEY_MASTER_KEY or REKEY_MASTER_KEY_FILE is required with a PostgreSQL store.');
  }

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.REKEY_LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!levels.includes(logLevel)) throw new ConfigError(`REKEY_LOG_LEVEL must be one of ${levels.join(', ')}.`);

  const trustProxy = env.REKEY_TRUST_PROXY ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(trustProxy)) throw new ConfigError('REKEY_TRUST_PROXY must be true or false.');

  return Object.freeze({
    port,
    host,
    publicUrl,
    trustProxy: trustProxy === '1' || trustProxy === 'true',
    store,
    masterKey,
    generatedKeyPath: store.kind === 'sqlite' && masterKey === null ? join(dirname(store.path), 'rekey.key') : null,
    smtpUrl: env.REKEY_SMTP_URL && env.REKEY_SMTP_URL !== '' ? env.REKEY_SMTP_URL : null,
    logLevel,
    accessTokenTtlSeconds: integer(env, 'REKEY_ACCESS_TOKEN_TTL_SECONDS', 600, 30, 86_400),
    webhookAllow: (env.REKEY_WEBHOOK_ALLOW ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    outboxLeaseSeconds: integer(env, 'REKEY_OUTBOX_LEASE_SECONDS', 60, 1, 3600),
    verifyForwardedPerMinute: integer(env, 'REKEY_VERIFY_FORWARDED_PER_MINUTE', 6000, 1, 1_000_000),
    leakReporterKeys: Object.freeze(loadLeakReporterKeys(env[LEAK_KEYS])),
    fault: env.REKEY_FAULT && env.REKEY_FAULT !== '' ? env.REKEY_FAULT : null,
  });
}
