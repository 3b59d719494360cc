import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type StoreKind = 'sqlite' | 'postgres';

/** Every test runs on both stores unless REKEY_TEST_STORES narrows it (e.g. `sqlite` while iterating). */
export const STORE_KINDS: StoreKind[] = (process.env.REKEY_TEST_STORES ?? 'sqlite,postgres')
  .split(',')
  .map((kind) => kind.trim())
  .filter((kind): kind is StoreKind => kind === 'sqlite' || kind === 'postgres');

export const TEST_DATABASE_URL = process.env.REKEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A place for one test's data: a temporary SQLite file, or a PostgreSQL schema of its own. */
export interface TestDatabase {
  kind: StoreKind;
  /** Value for REKEY_DATABASE_URL. */
  url: string;
  /** PostgreSQL schema (search_path) isolating this test. */
  schema?: string;
  dir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-test-'));
  if (kind === 'sqlite') {
    return { kind, url: join(dir, 'rekey.db'), dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `rk_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    kind,
    url: url.toString(),
    schema,
    dir,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await dropper.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
