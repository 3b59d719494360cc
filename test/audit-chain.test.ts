import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintainAuditChain } from '../src/core/audit/index.js';
import { runCli } from './support/cli.js';
import { startRekey, type Rekey } from './support/harness.js';
import { startSecondNode } from './support/second-node.js';
import { STORE_KINDS } from './support/stores.js';

/** SPEC §12: each account's audit events form a keyed hash chain that names the first broken event. */
describe.each(STORE_KINDS)('audit hash chain (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_WEBHOOK_ALLOW: '127.0.0.1' } });
  });
  afterAll(async () => {
    await rekey?.close();
  });

  const verify = async (token = rekey.main.token) => (await rekey.request('GET', '/v1/audit/verify', { token })).json;
  const db = () => rekey.runtime.opened.db;
  const chain = async (): Promise<Array<{ id: string; seq: number; data: string; at: number }>> =>
    (
      await db().all<{ id: string; seq: number | string; data: string; at: number | string }>(
        'SELECT id, seq, data, at FROM audit_events WHERE account_id = ? AND seq IS NOT NULL ORDER BY seq',
        [rekey.main.accountId],
      )
    ).map((row) => ({ ...row, seq: Number(row.seq), at: Number(row.at) }));

  /** Runs `tamper`, checks verify names `expected(chain before)`, then puts the rows back. */
  const expectBrokenAt = async (tamper: () => Promise<void>, restore: () => Promise<void>, brokenId: string, reason: string) => {
    await tamper();
    const broken = await verify();
    expect(broken).toMatchObject({ valid: false, firstBrokenEventId: brokenId, reason });
    const cli = await runCli(['audit', 'verify', '--json'], { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token });
    expect(cli.code, cli.stderr).toBe(7);
    expect(JSON.parse(cli.stdout)).toMatchObject({ valid: false, firstBrokenEventId: brokenId });
    await restore();
    expect(await verify()).toMatchObject({ valid: true });
  };

  it('chains every audited change; edited, deleted and swapped rows are named; the tail is guarded by the head', async () => {
    for (let i = 0; i < 4; i++) {
      const created = await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: `chain ${i}` } });
      expect(created.status).toBe(201);
      expect((await rekey.request('POST', `/v1/clients/${created.json.id}/regenerate`, { body: { graceSeconds: 0 } })).status).toBe(200);
    }
    const intact = await verify();
    expect(intact).toMatchObject({ valid: true });
    expect(intact.events).toBeGreaterThanOrEqual(8);
    const cli = await runCli(['audit', 'verify'], { ...rekey.env, REKEY_ADMIN_TOKEN: rekey.main.token });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/The audit chain is intact: \d+ events/);
    // The other account's chain is its own.
    expect(await verify(rekey.other.token)).toMatchObject({ valid: true });

    const rows = await chain();
    const [, second, third, fourth] = rows;

    // An edited fact: that event is named.
    await expectBrokenAt(
      () =>
        db()
          .run('UPDATE audit_events SET data = ? WHERE id = ?', ['{"name":"forged"}', third!.id])
          .then(() => undefined),
      () =>
        db()
          .run('UPDATE audit_events SET data = ? WHERE id = ?', [third!.data, third!.id])
          .then(() => undefined),
      third!.id,
      'hash',
    );
    // An edited time.
    await expectBrokenAt(
      () =>
        db()
          .run('UPDATE audit_events SET at = at + 1 WHERE id = ?', [second!.id])
          .then(() => undefined),
      () =>
        db()
          .run('UPDATE audit_events SET at = ? WHERE id = ?', [second!.at, second!.id])
          .then(() => undefined),
      second!.id,
      'hash',
    );
    // Two rows swapped: the earlier position no longer follows.
    const placeAt = async (first: { id: string }, firstSeq: number, other: { id: string }, otherSeq: number): Promise<void> => {
      await db().run('UPDATE audit_events SET seq = -1 WHERE id = ?', [first.id]);
      await db().run('UPDATE audit_events SET seq = ? WHERE id = ?', [otherSeq, other.id]);
      await db().run('UPDATE audit_events SET seq = ? WHERE id = ?', [firstSeq, first.id]);
    };
    await expectBrokenAt(
      () => placeAt(second!, third!.seq, third!, second!.seq),
      () => placeAt(second!, second!.seq, third!, third!.seq),
      third!.id,
      'hash',
    );
    // A deleted row: the event after the gap is named.
    const [copy] = await db().all<Record<string, unknown>>('SELECT * FROM audit_events WHERE id = ?', [third!.id]);
    const columns = Object.keys(copy!);
    await expectBrokenAt(
      () =>
        db()
          .run('DELETE FROM audit_events WHERE id = ?', [third!.id])
          .then(() => undefined),
      () =>
        db()
          .run(
            `INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
            columns.map((c) => copy![c]),
          )
          .then(() => undefined),
      fourth!.id,
      'gap',
    );

    // The newest event deleted: no event is broken, but the head says more.
    const last = rows[rows.length - 1]!;
    const [lastCopy] = await db().all<Record<string, unknown>>('SELECT * FROM audit_events WHERE id = ?', [last.id]);
    await db().run('DELETE FROM audit_events WHERE id = ?', [last.id]);
    const truncated = await verify();
    expect(truncated).toMatchObject({ valid: false, reason: 'head', events: rows.length - 1 });
    expect(truncated.firstBrokenEventId).toBeUndefined();
    await db().run(
      `INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      columns.map((c) => lastCopy![c]),
    );
    expect(await verify()).toMatchObject({ valid: true });
  });

  it('exports the whole log as NDJSON with every field and its link; verify and export need audit.read', async () => {
    const response = await fetch(`${rekey.url}/v1/audit?format=ndjson`, { headers: { authorization: `Bearer ${rekey.main.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const chained = lines.filter((line) => line.seq !== null);
    expect(chained.map((line) => line.seq)).toEqual(chained.map((_, index) => index + 1));
    expect(chained[0]).toMatchObject({ accountId: rekey.main.accountId, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Object.keys(chained[0]).sort()).toEqual(
      ['accountId', 'actor', 'at', 'clientId', 'code', 'count', 'data', 'hash', 'id', 'seq', 'type', 'versionId'].sort(),
    );
    const filtered = await rekey.request('GET', '/v1/audit?format=ndjson&limit=5');
    expect(filtered.status).toBe(400);
    expect(filtered.json.code).toBe('invalid_request');
    const unknownFormat = await rekey.request('GET', '/v1/audit?format=csv');
    expect(unknownFormat.status).toBe(400);
    expect((await rekey.request('GET', '/v1/audit/verify', { token: null })).status).toBe(401);
  });

  it('links rows written before the chain existed, in order; publishes the head as audit.checkpoint at most hourly', async () => {
    // Rows as an older Rekey left them: no link, no head.
    await db().run('UPDATE audit_events SET seq = NULL, hash = NULL WHERE account_id = ?', [rekey.other.accountId]);
    await db().run('DELETE FROM audit_heads WHERE account_id = ?', [rekey.other.accountId]);
    const unlinked = await db().all<{ id: string }>('SELECT id FROM audit_events WHERE account_id = ? ORDER BY at, id', [
      rekey.other.accountId,
    ]);
    expect(unlinked.length).toBeGreaterThan(0);
    expect(await verify(rekey.other.token)).toMatchObject({ valid: true, events: 0, pending: unlinked.length });
    rekey.clock.advance(5 * 60_000);
    await maintainAuditChain(rekey.runtime.core);
    expect(await verify(rekey.other.token)).toMatchObject({ valid: true, events: unlinked.length, pending: 0 });
    const linked = await db().all<{ id: string }>('SELECT id FROM audit_events WHERE account_id = ? ORDER BY seq', [rekey.other.accountId]);
    expect(linked.map((row) => row.id)).toEqual(unlinked.map((row) => row.id));

    const hook = await rekey.request('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/audit', events: ['audit.checkpoint'] } });
    expect(hook.status).toBe(201);
    const checkpoints = async () =>
      (await rekey.request('GET', '/v1/outbox?type=audit.checkpoint')).json.items as Array<{ channel: string; payload?: unknown }>;
    const already = (await checkpoints()).length;
    rekey.clock.advance(3600_000);
    await maintainAuditChain(rekey.runtime.core);
    const head = (
      await db().all<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_heads WHERE account_id = ?', [
        rekey.main.accountId,
      ])
    )[0]!;
    const [message] = await db().all<{ payload: string }>(
      "SELECT payload FROM outbox WHERE account_id = ? AND type = 'audit.checkpoint' ORDER BY created_at DESC",
      [rekey.main.accountId],
    );
    expect(JSON.parse(message!.payload)).toMatchObject({ accountId: rekey.main.accountId, seq: Number(head.seq), hash: head.hash });
    expect((await checkpoints()).length).toBe(already + 1);
    // Within the hour, a changed head is not published again.
    expect((await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'after checkpoint' } })).status).toBe(201);
    rekey.clock.advance(60_000);
    await maintainAuditChain(rekey.runtime.core);
    expect((await checkpoints()).length).toBe(already + 1);
  });

  it.runIf(kind === 'postgres')(
    '200 concurrent audited changes over two nodes leave one valid chain',
    async () => {
      const node = await startSecondNode(rekey);
      try {
        const before = (await verify()).events as number;
        const urls = [rekey.url, node.url];
        // Like a real client: a 503 (the pools are small and the machine shared) is retried after its
        // Retry-After, with an idempotency key so a retry never makes a second client.
        const create = async (i: number): Promise<number> => {
          for (let attempt = 0; ; attempt++) {
            const response = await fetch(`${urls[(i + attempt) % 2]}/v1/clients`, {
              method: 'POST',
              headers: { authorization: `Bearer ${rekey.main.token}`, 'content-type': 'application/json', 'idempotency-key': `race-${i}` },
              body: JSON.stringify({ profile: 'apikey', name: `race ${i}` }),
            });
            await response.arrayBuffer();
            if (response.status !== 503 || attempt === 20) return response.status;
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        };
        const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => create(i)));
        expect(answers.filter((status) => status !== 201)).toEqual([]);
        const after = await verify();
        expect(after).toMatchObject({ valid: true });
        expect(after.events - before).toBe(200);
      } finally {
        await node.stop();
      }
    },
    60_000,
  );
});
