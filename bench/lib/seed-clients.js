// A SQLite database holding many apikey clients, built once and cached under .bench/ (gitignored),
// keyed by the schema version and the client count. The rows are the store's own: each client and
// its secret version are made by the core's functions (newClientRecord, issueSecretVersion: ids,
// the peppered HMAC of the secret) and written by the store's insertClient / insertVersion, in one
// transaction. Only the create-client audit events and change-log rows are left out.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initRekey } from './rekey-node.js';

/** The seeded database: its file (copy it before serving), master key, account and `hot` [id, secret] pairs. */
export async function seededClients(root, { clients, hot }) {
  const { MIGRATIONS } = await import(join(root, 'dist/store/migrations.js'));
  const schemaVersion = Math.max(...MIGRATIONS.map((migration) => migration.version));
  const dir = join(root, '.bench', `clients-${clients}-schema${schemaVersion}`);
  if (!existsSync(join(dir, 'meta.json'))) await seed(root, dir, clients, hot);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  if (meta.hot.length < hot) throw new Error(`${dir} holds ${meta.hot.length} hot clients, fewer than ${hot}: delete it to reseed`);
  return { file: join(dir, 'rekey.db'), ...meta, hot: meta.hot.slice(0, hot) };
}

async function seed(root, dir, clients, hot) {
  const started = performance.now();
  process.stderr.write(`bench:   seeding ${clients} clients into ${dir} (once; later runs reuse it)\n`);
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    const masterKey = randomBytes(32).toString('base64');
    const file = join(building, 'rekey.db');
    const { adminToken, accountId } = initRekey({ REKEY_DATABASE_URL: file, REKEY_MASTER_KEY: masterKey });
    const { openStore, openKeyring } = await import(join(root, 'dist/store/index.js'));
    const { cryptoRandom, parseMasterKey } = await import(join(root, 'dist/core/kernel/index.js'));
    const { newClientRecord, issueSecretVersion, PROFILE_DESCRIPTORS } = await import(join(root, 'dist/core/credentials/index.js'));
    const { store, db } = await openStore({ kind: 'sqlite', path: file });
    // A page cache big enough for the random-key indexes: the inserts stay in memory until the commit.
    await db.all('PRAGMA cache_size = -2000000');
    const keyring = await openKeyring(store, parseMasterKey(masterKey), cryptoRandom);
    // The same CSPRNG, drawn 64 KiB at a time: one randomBytes call per byte request costs more than the rest of a client.
    let pool = Buffer.alloc(0);
    const pooledRandom = {
      bytes(length) {
        if (pool.length < length) pool = randomBytes(Math.max(65_536, length));
        const out = pool.subarray(0, length);
        pool = pool.subarray(length);
        return out;
      },
    };
    const deps = { random: pooledRandom, keyring };
    const fields = { ...PROFILE_DESCRIPTORS.apikey.defaults };
    const kept = [];
    const now = Date.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < clients; i++) {
        const client = newClientRecord(deps, { accountId, profile: 'apikey', name: `seeded ${i}`, fields, consumerKey: null }, now);
        const { version, secret } = issueSecretVersion(deps, client, now);
        await tx.insertClient(client);
        await tx.insertVersion(version);
        if (i < hot) kept.push([client.id, secret]);
        if (i % 100_000 === 99_999) process.stderr.write(`bench:   ${i + 1} clients\n`);
      }
    });
    await store.close();
    writeFileSync(join(building, 'meta.json'), JSON.stringify({ masterKey, adminToken, accountId, clients, hot: kept }));
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
    process.stderr.write(`bench:   seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}
