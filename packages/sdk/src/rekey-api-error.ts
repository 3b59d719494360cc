import type { components } from './schema.js';

/** An RFC 9457 problem document as Rekey sends it (the `Problem` schema of its OpenAPI document). */
export type Problem = components['schemas']['Problem'] & { [extension: string]: unknown };

/** Every error code Rekey documents. */
export type ErrorCode = Problem['code'];

/**
 * A non-2xx answer from Rekey, carrying the problem document's fields. `code` is Rekey's stable
 * error code; `retryAfter` (seconds) is set for 429 and 503 answers when Rekey sent one. The message
 * never contains a secret: problem documents never do.
 */
export class RekeyApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | undefined;
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: Array<{ pointer?: string; message?: string }> | undefined;
  readonly retryAfter: number | undefined;
  /** The whole problem document, extension members included; undefined when the body was not one. */
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined, options: { retryAfter?: number; text?: string } = {}) {
    super(problem ? `${problem.code}: ${problem.detail}` : `HTTP ${status}${options.text ? `: ${options.text.slice(0, 200)}` : ''}`);
    this.name = 'RekeyApiError';
    this.status = status;
    this.problem = problem;
    this.code = problem?.code;
    this.type = problem?.type;
    this.title = problem?.title;
    this.detail = problem?.detail;
    this.instance = problem?.instance;
    this.requestId = problem?.requestId;
    this.errors = problem?.errors;
    this.retryAfter = typeof problem?.retryAfter === 'number' ? problem.retryAfter : options.retryAfter;
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}

/** Builds the error from an answer whose body was already read (`body`: parsed JSON or the raw text). */
export function rekeyApiErrorOf(response: Response, body: unknown): RekeyApiError {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const header = response.headers.get('retry-after');
  const retryAfter = header !== null && /^[0-9]+$/.test(header) ? Number(header) : undefined;
  return new RekeyApiError(response.status, isProblem(parsed) ? parsed : undefined, {
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(typeof body === 'string' ? { text: body } : {}),
  });
}

/** Reads an answer that is not 2xx into a RekeyApiError. */
export async function readRekeyApiError(response: Response): Promise<RekeyApiError> {
  return rekeyApiErrorOf(response, await response.text());
}
