import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, USAGE_FLUSH_SLICE, createUsageRecorder, hourOf } from '../src/core/auth/index.js';
import { USAGE_FLUSH_INTERVAL_MS } from '../src/main.js';
import { startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Bucket {
  versionId: string;
  hour: string;
  count: number;
}

describe.each(STORE_KINDS)('per-version usage per hour, GET /v1/clients/{id}/usage (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const whoami = (id: string, secret: string) => rekey.request('GET', '/v1/whoami', { token: null, headers: basic(id, secret) });
  const create = async () => {
    const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'oauth', name: 'Reporting' } });
    expect(created.status).toBe(201);
    return created.json as { id: string; secret: string; versionId: string };
  };

  it('counts Basic verifications with the old and the new secret during a grace period, per version, in the current hour', async () => {
    const startHour = hourOf(rekey.clock.now());
    const created = await create();
    const regenerated = await rekey.request('POST', `/v1/clients/${created.id}/regenerate`, { body: { graceSeconds: 3600 } });
    expect(regenerated.status).toBe(200);
    const fresh = regenerated.json as { versionId: string; secret: string };
    for (let i = 0; i < 3; i++) expect((await whoami(created.id, created.secret)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await whoami(created.id, fresh.secret)).status).toBe(200);

    // The node flushes its recorder every USAGE_FLUSH_INTERVAL_MS; the buckets appear once it has.
    const expected = new Map([
      [created.versionId, 3],
      [fresh.versionId, 2],
    ]);
    const deadline = Date.now() + USAGE_FLUSH_INTERVAL_MS + 3000;
    let buckets: Bucket[] = [];
    for (;;) {
      const usage = await rekey.request('GET', `/v1/clients/${created.id}/usage`);
      expect(usage.status).toBe(200);
      buckets = (usage.json as { buckets: Bucket[] }).buckets;
      const totals = new Map<string, number>();
      for (const bucket of buckets) totals.set(bucket.versionId, (totals.get(bucket.versionId) ?? 0) + bucket.count);
      if ([...expected].every(([versionId, count]) => totals.get(versionId) === count)) break;
      if (Date.now() > deadline) throw new Error(`usage did not reach ${JSON.stringify([...expected])}: ${JSON.stringify(buckets)}`);
      await sleep(100);
    }
    const endHour = hourOf(rekey.clock.now());
    if (startHour === endHour) {
      const hour = new Date(startHour).toISOString();
      expect(buckets).toEqual(
        [
          { versionId: created.versionId, hour, count: 3 },
          { versionId: fresh.versionId, hour, count: 2 },
        ].sort((a, b) => (a.versionId < b.versionId ? -1 : 1)),
      );
    } else {
      // The test ran across an hour boundary: the counts split between the two hours.
      for (const bucket of buckets) expect([startHour, endHour]).toContain(Date.parse(bucket.hour));
    }
    expect(buckets.map((bucket) => bucket.hour)).toEqual([...buckets.map((bucket) => bucket.hour)].sort());
  });

  it('answers 404 for another account’s client or an unknown id, and 400 for hours outside 1–168', async () => {
    const created = await create();
    const foreign = await rekey.request('GET', `/v1/clients/${created.id}/usage`, { token: rekey.other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(created.versionId);
    expect((await rekey.request('GET', '/v1/clients/cli_unknown/usage')).status).toBe(404);
    for (const hours of ['0', '169', 'abc', '1.5', '-1', '']) {
      const bad = await rekey.request('GET', `/v1/clients/${created.id}/usage?hours=${hours}`);
      expect(bad.status, `hours=${hours}`).toBe(400);
      expect(bad.json.code).toBe('invalid_request');
    }
    for (const hours of ['1', '24', '168']) {
      expect((await rekey.request('GET', `/v1/clients/${created.id}/usage?hours=${hours}`)).json).toEqual({ buckets: [] });
    }
  });

  it('keeps each version’s successes in the hour they happened in when an hour turns between flushes', async () => {
    const created = await create();
    const recorder = createUsageRecorder();
    const hour = hourOf(rekey.clock.now()) - 2 * HOUR_MS;
    recorder.success(created.versionId, hour + HOUR_MS - 1);
    recorder.success(created.versionId, hour + HOUR_MS - 1);
    recorder.success(created.versionId, hour + HOUR_MS);
    recorder.success(created.versionId, hour + HOUR_MS + 5);
    // A clock that steps back a little reopens the earlier hour; the counts still land there.
    recorder.success(created.versionId, hour + HOUR_MS - 2);
    await recorder.flush(rekey.runtime.opened.store, () => 'evt_unused');
    const usage = await rekey.request('GET', `/v1/clients/${created.id}/usage?hours=3`);
    expect(usage.json.buckets).toEqual([
      { versionId: created.versionId, hour: new Date(hour).toISOString(), count: 3 },
      { versionId: created.versionId, hour: new Date(hour + HOUR_MS).toISOString(), count: 2 },
    ]);
    const view = await rekey.request('GET', `/v1/clients/${created.id}`);
    expect(view.json.versions[0]).toMatchObject({ useCount: 5, lastUsedAt: new Date(hour + HOUR_MS + 5).toISOString() });
  });

  it('flushes in version id order, in slices, whatever order the versions were used in', async () => {
    const recorder = createUsageRecorder();
    const now = rekey.clock.now();
    // Ids with many different starts, used in no particular order (none exist: the store adds nothing for them).
    const ids = Array.from({ length: USAGE_FLUSH_SLICE * 7 + 3 }, (_, i) => `ver_${((i * 7919) % 1000).toString(36)}x${i}`);
    for (const versionId of ids) recorder.success(versionId, now);
    const slices: string[][] = [];
    const store = rekey.runtime.opened.store;
    const watched = {
      ...store,
      applyUsage: (updates: Parameters<typeof store.applyUsage>[0]) => (
        slices.push(updates.map((u) => u.versionId)),
        store.applyUsage(updates)
      ),
    };
    await recorder.flush(watched, () => 'evt_unused');
    expect(slices.every((slice) => slice.length <= USAGE_FLUSH_SLICE)).toBe(true);
    expect(slices.flat()).toEqual([...ids].sort());
    expect(recorder.pending()).toBe(0);
  });

  it('flushes in slices: a slice the store refuses stays for the next flush, the slices before it are not counted twice', async () => {
    // A flush writes in version id order: `first` sorts before `last`.
    const [first, last] = [await create(), await create()].sort((a, b) => (a.versionId < b.versionId ? -1 : 1));
    const recorder = createUsageRecorder();
    const now = rekey.clock.now();
    for (let i = 0; i < 3; i++) recorder.success(first!.versionId, now);
    // More versions than one slice holds, sorting between the two, so `last` lands in a later slice than `first`.
    for (let i = 0; i < USAGE_FLUSH_SLICE + 20; i++) recorder.success(`${first!.versionId}_${String(i).padStart(4, '0')}`, now);
    for (let i = 0; i < 2; i++) recorder.success(last!.versionId, now);
    const db = rekey.runtime.opened.db;
    if (kind === 'sqlite') {
      await db.run(
        `CREATE TRIGGER refuse_usage BEFORE INSERT ON version_usage WHEN NEW.version_id = '${last!.versionId}' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
    } else {
      await db.run(
        `CREATE FUNCTION refuse_usage() RETURNS trigger AS $$ BEGIN IF NEW.version_id = '${last!.versionId}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await db.run('CREATE TRIGGER refuse_usage BEFORE INSERT ON version_usage FOR EACH ROW EXECUTE FUNCTION refuse_usage()');
    }
    const useCount = async (id: string, versionId: string) =>
      (await rekey.request('GET', `/v1/clients/${id}`)).json.versions.find(
        (version: { versionId: string }) => version.versionId === versionId,
      ).useCount;
    try {
      await expect(recorder.flush(rekey.runtime.opened.store, () => 'evt_unused')).rejects.toThrow();
      expect(await useCount(first!.id, first!.versionId)).toBe(3);
      expect(await useCount(last!.id, last!.versionId)).toBe(0);
      expect(recorder.pending()).toBeGreaterThan(0);
      expect(recorder.pending()).toBeLessThanOrEqual(USAGE_FLUSH_SLICE);
    } finally {
      if (kind === 'sqlite') await db.run('DROP TRIGGER refuse_usage');
      else {
        await db.run('DROP TRIGGER refuse_usage ON version_usage');
        await db.run('DROP FUNCTION refuse_usage()');
      }
    }
    await recorder.flush(rekey.runtime.opened.store, () => 'evt_unused');
    expect(await useCount(first!.id, first!.versionId)).toBe(3);
    expect(await useCount(last!.id, last!.versionId)).toBe(2);
    expect(recorder.pending()).toBe(0);
  });
});
