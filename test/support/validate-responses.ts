import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { ResponseMismatch } from '../../src/http/response-validation.js';

/**
 * Vitest setup: every Rekey server a test starts, in process or as a child process, checks each
 * response against the OpenAPI document (src/http/response-validation.ts) and appends what does
 * not match to this file. A test that saw a mismatch fails, naming the operation and the problem.
 */
const reportFile = join(tmpdir(), `rekey-response-mismatches-${process.pid}-${randomUUID()}.jsonl`);
process.env.REKEY_VALIDATE_RESPONSES = reportFile;

function takeMismatches(): ResponseMismatch[] {
  if (!existsSync(reportFile)) return [];
  const lines = readFileSync(reportFile, 'utf8').split('\n').filter(Boolean);
  rmSync(reportFile, { force: true });
  return lines.map((line) => JSON.parse(line) as ResponseMismatch);
}

function failOnMismatches(): void {
  const mismatches = takeMismatches();
  if (mismatches.length === 0) return;
  const listed = mismatches.map((m) => `${m.method} ${m.path} → ${m.status}: ${m.problem}\n    body: ${m.body.slice(0, 400)}`);
  throw new Error(`Responses that do not match the OpenAPI document:\n  ${listed.join('\n  ')}`);
}

afterEach(failOnMismatches);
afterAll(failOnMismatches);
