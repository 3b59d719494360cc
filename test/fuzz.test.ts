import { describe, expect, it } from 'vitest';
import { formatReport, runFuzz } from './support/fuzz/run-fuzz.js';
import { STORE_KINDS } from './support/stores.js';

// Issue 14: malformed requests to every route and every authentication method, generated from
// /openapi.json against a seeded `rekey serve` (needs `npm run build`). CI sends a few thousand per
// store; `npm run fuzz` sends REKEY_FUZZ_RUNS=100000. REKEY_FUZZ_SEED replays a run.
const RUNS = Number(process.env.REKEY_FUZZ_RUNS ?? 2500);
const SEED = process.env.REKEY_FUZZ_SEED ? Number(process.env.REKEY_FUZZ_SEED) : undefined;

describe.each(STORE_KINDS)('fuzz (%s)', (kind) => {
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
