import fc from 'fast-check';
import { startRekey } from '../harness.js';
import { startNode, type NodeProcess } from '../rekey-nodes.js';
import type { StoreKind } from '../stores.js';
import { fuzzCaseArbitrary, type FuzzCase } from './fuzz-cases.js';
import { operationsOf, type OpenApiDocument } from './operations.js';
import { sendCase } from './send-case.js';
import { seedFixture } from './seed.js';
import { diffSnapshots, takeSnapshot } from './state-snapshot.js';

export interface FuzzFinding {
  operation: string;
  status: number | null;
  request: string;
  response: string;
}

export interface FuzzReport {
  store: StoreKind;
  seed: number;
  operations: number;
  requests: number;
  /** Responses by status code (`none` when no status line came back). */
  byStatus: Record<string, number>;
  byClass: Record<string, number>;
  serverErrors: FuzzFinding[];
  /** A request that presented a working credential on its own ids answered 2xx although its body is always refused. */
  unexpectedSuccesses: FuzzFinding[];
  noResponse: FuzzFinding[];
  /** 4xx answers (outside /oauth/*) that are not problem documents. */
  notProblemDocuments: number;
  notProblemExamples: FuzzFinding[];
  /** Cases the fuzz failed to build (its own bugs). */
  fuzzErrors: string[];
  crashes: number;
  /** Guarded rows that appeared or disappeared. */
  stateChanges: string[];
  alive: boolean;
  seconds: number;
}

export interface FuzzOptions {
  runs: number;
  seed?: number;
  /** Parallel request streams, each its own fast-check run (seed, seed + 1, …). */
  streams?: number;
  log?: (line: string) => void;
}

const FINDINGS_KEPT = 20;

/**
 * Issue 14: a real `rekey serve` on a seeded store, `runs` malformed requests generated from its
 * own `/openapi.json`, and what must hold after them: no 5xx, no crash, the server still answering,
 * and every guarded row unchanged.
 */
export async function runFuzz(kind: StoreKind, options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const rekey = await startRekey(kind, { env: { REKEY_WEBHOOK_ALLOW: '127.0.0.1' }, background: false });
  let node: NodeProcess | undefined;
  try {
    const fixture = await seedFixture(rekey);
    // The seeding node steps aside: the fuzz talks to a process of its own, whose crash it can see.
    await rekey.app.close();
    await rekey.runtime.close();
    node = await startNode({ ...rekey.env, REKEY_WEBHOOK_ALLOW: '127.0.0.1', REKEY_LOG_LEVEL: 'warn' });
    const document = (await (await fetch(`${node.url}/openapi.json`)).json()) as OpenApiDocument;
    const operations = operationsOf(document);
    log(`fuzz ${kind}: seed ${seed}, ${options.runs} requests over ${operations.length} operations`);

    const before = await takeSnapshot(rekey.db);
    const report: FuzzReport = {
      store: kind,
      seed,
      operations: operations.length,
      requests: 0,
      byStatus: {},
      byClass: {},
      serverErrors: [],
      unexpectedSuccesses: [],
      noResponse: [],
      fuzzErrors: [],
      notProblemDocuments: 0,
      notProblemExamples: [],
      crashes: 0,
      stateChanges: [],
      alive: false,
      seconds: 0,
    };
    let crashed = false;
    void node.exited.then(() => (crashed = true));
    const arbitrary = fuzzCaseArbitrary(operations, fixture);
    const streams = Math.max(1, options.streams ?? 4);
    const port = node.port;

    const onCase = async (fuzzCase: FuzzCase): Promise<void> => {
      if (crashed) return;
      const operation = operations[fuzzCase.operation]!;
      let sent: Awaited<ReturnType<typeof sendCase>>;
      try {
        sent = await sendCase(port, fixture, operation, fuzzCase);
      } catch (error) {
        // A case the fuzz itself cannot write is its own bug: counted, never mistaken for the server's.
        report.fuzzErrors.push(`${operation.method} ${operation.path}: ${String(error)} in ${JSON.stringify(fuzzCase).slice(0, 300)}`);
        return;
      }
      report.requests++;
      const status = sent.response.status;
      // A reset while still writing is TCP's doing (the server answered early and closed), not a silence.
      const reset = status === null && /EPIPE|ECONNRESET/.test(sent.response.error ?? '');
      const code = status === null ? (reset ? 'reset' : 'none') : String(status);
      report.byStatus[code] = (report.byStatus[code] ?? 0) + 1;
      const statusClass = status === null ? code : `${Math.floor(status / 100)}xx`;
      report.byClass[statusClass] = (report.byClass[statusClass] ?? 0) + 1;
      const finding = (): FuzzFinding => ({
        operation: `${operation.method} ${operation.path}`,
        status,
        request: describeRequest(sent.request),
        response: sent.response.body || (sent.response.error ?? ''),
      });
      if (status !== null && status >= 500) report.serverErrors.push(finding());
      // SPEC §6: every error is a problem document, except /oauth/* (RFC 6749) and what Node's own
      // HTTP server refuses before any route runs (a bare 400, 417 or 431 with no body).
      const bare = status !== null && status >= 400 && !(sent.response.contentType ?? '').startsWith('application/problem+json');
      const fromNode = status === 417 || status === 431 || /^(0\r\n\r\n)?$/.test(sent.response.body);
      if (bare && !fromNode && !operation.path.startsWith('/oauth/')) {
        report.notProblemDocuments++;
        if (report.notProblemExamples.length < 5) report.notProblemExamples.push(finding());
      } else if (status === null && !reset && report.noResponse.length < FINDINGS_KEPT) report.noResponse.push(finding());
      if (sent.couldAct && status !== null && status >= 200 && status < 300 && report.unexpectedSuccesses.length < FINDINGS_KEPT) {
        report.unexpectedSuccesses.push(finding());
      }
      if (report.requests % 10_000 === 0) log(`fuzz ${kind}: ${report.requests} requests, ${JSON.stringify(report.byClass)}`);
    };

    const perStream = Math.ceil(options.runs / streams);
    await Promise.all(
      Array.from({ length: streams }, (_, stream) => Math.max(0, Math.min(perStream, options.runs - stream * perStream)))
        .filter((numRuns) => numRuns > 0)
        .map((numRuns, stream) =>
          fc.assert(
            fc.asyncProperty(arbitrary, async (fuzzCase) => {
              await onCase(fuzzCase);
            }),
            { numRuns, seed: seed + stream, endOnFailure: true },
          ),
        ),
    );

    report.crashes = crashed ? 1 : 0;
    report.alive = !crashed && (await answers(`${node.url}/livez`));
    // Usage and lockout writes are batched; let them land before comparing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    report.stateChanges = diffSnapshots(before, await takeSnapshot(rekey.db));
    report.seconds = Math.round((Date.now() - started) / 1000);
    if (crashed) log(`fuzz ${kind}: the server exited:\n${node.output().slice(-4000)}`);
    return report;
  } finally {
    await node?.kill();
    await rekey.db.drop();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** The request as text, long values cut, for a report a person can read and replay. */
function describeRequest(request: { method: string; target: string; headers: Array<[string, string]>; body?: Buffer }): string {
  const cut = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…(${text.length})` : text);
  const headers = request.headers.map(([name, value]) => `${cut(name)}: ${cut(JSON.stringify(value))}`).join('\n');
  const body = request.body ? `\n\n${cut(JSON.stringify(request.body.toString('latin1')))}` : '';
  return `${request.method} ${cut(JSON.stringify(request.target))}\n${headers}${body}`;
}

/** The counts the issue asks for, one per line. */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `store ${report.store}: seed ${report.seed}, ${report.operations} operations, ${report.seconds} s (replay: REKEY_FUZZ_SEED=${report.seed} REKEY_FUZZ_RUNS=${report.requests} REKEY_TEST_STORES=${report.store})`,
    `  requests        ${report.requests}`,
    `  by class        ${JSON.stringify(report.byClass)}`,
    `  by status       ${JSON.stringify(report.byStatus)}`,
    `  5xx             ${report.serverErrors.length}`,
    `  crashes         ${report.crashes}`,
    `  still answering ${report.alive ? 'yes' : 'NO'}`,
    `  state changes   ${report.stateChanges.length}`,
    `  acted on bad input ${report.unexpectedSuccesses.length}`,
    `  no response     ${report.byClass.none ?? 0} (and ${report.byClass.reset ?? 0} reset while sending an oversized request)`,
    `  fuzz errors     ${report.fuzzErrors.length}`,
    `  not a problem document ${report.notProblemDocuments}`,
  ];
  for (const finding of report.notProblemExamples)
    lines.push(`  -- bare ${finding.status} ${finding.operation}\n${finding.request}\n  => ${finding.response}`);
  for (const error of report.fuzzErrors.slice(0, 5)) lines.push(`  fuzz error: ${error}`);
  for (const finding of report.noResponse.slice(0, 5))
    lines.push(`  -- no response ${finding.operation}\n${finding.request}\n  => ${finding.response}`);
  for (const finding of [...report.serverErrors.slice(0, FINDINGS_KEPT), ...report.unexpectedSuccesses]) {
    lines.push(`  -- ${finding.status} ${finding.operation}\n${finding.request}\n  => ${finding.response}`);
  }
  for (const change of report.stateChanges.slice(0, FINDINGS_KEPT)) lines.push(`  changed: ${change.slice(0, 400)}`);
  return lines.join('\n');
}
