import { describe, expect, it } from 'vitest';
import { formatReport, runFuzz } from './support/fuzz/run-fuzz.js';
import { diffSnapshots, takeSnapshot } from './support/fuzz/state-snapshot.js';
import { startRekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14: malformed requests to every route and every authentication method, generated from
// /openapi.json against a seeded `rekey serve` (needs `npm run build`). CI sends a few thousand per
// store; `npm run fuzz` sends REKEY_FUZZ_RUNS=100000. REKEY_FUZZ_SEED replays a run.
const RUNS = Number(process.env.REKEY_FUZZ_RUNS ?? 2000);
const SEED = process.env.REKEY_FUZZ_SEED ? Number(process.env.REKEY_FUZZ_SEED) : undefined;

describe.each(STORE_KINDS)('fuzz (%s)', (kind) => {
  it('leaves out of the snapshot what a refused or accepted attempt may write (failure counters, lockout, usage, audit)', async () => {
    const rekey = await startRekey(kind);
    try {
      const key = (await rekey.request('POST', '/v1/clients', { body: { profile: 'apikey', name: 'Key' } })).json;
      const before = await takeSnapshot(rekey.db);
      const basic = (secret: string): string => `Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}`;
      const wrong = `rk_sec_${'A'.repeat(43)}`;
      // Failures count toward the lockout and are audited; a success records usage. None of it is guarded.
      for (let i = 0; i < 6; i++) await rekey.request('GET', '/v1/whoami', { token: null, headers: { authorization: basic(wrong) } });
      await rekey.request('GET', '/v1/whoami', { token: null, headers: { authorization: basic(key.secret) } });
      await rekey.runtime.close();
      expect(diffSnapshots(before, await takeSnapshot(rekey.db))).toEqual([]);
    } finally {
      await rekey.app.close();
      await rekey.db.drop();
    }
  });

  it('sees a change bad input must never make', async () => {
    const rekey = await startRekey(kind);
    try {
      const before = await takeSnapshot(rekey.db);
      await rekey.request('POST', '/v1/roles', { body: { name: 'Auditor', permissions: ['audit.read'] } });
      expect(diffSnapshots(before, await takeSnapshot(rekey.db))).toEqual([expect.stringMatching(/^roles \+ .*Auditor/)]);
    } finally {
      await rekey.close();
    }
  });

  it(
    `answers ${RUNS} malformed requests with no 5xx and no crash, still answers, and changes nothing it guards`,
    async () => {
      const report = await runFuzz(kind, { runs: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), log: (line) => console.log(line) });
      console.log(formatReport(report));
      expect(report.crashes, 'crashes').toBe(0);
      expect(report.alive, 'answers /livez afterwards').toBe(true);
      expect(report.fuzzErrors).toEqual([]);
      expect(report.requests).toBe(RUNS);
      expect(report.serverErrors.map((finding) => `${finding.status} ${finding.request}`)).toEqual([]);
      expect(report.unexpectedSuccesses.map((finding) => `${finding.status} ${finding.request}`)).toEqual([]);
      expect(report.stateChanges).toEqual([]);
      expect(report.notProblemExamples.map((finding) => `${finding.status} ${finding.request}`)).toEqual([]);
      expect(report.byClass['4xx']).toBeGreaterThan(RUNS / 2);
    },
    120_000 + RUNS * 10,
  );
});
