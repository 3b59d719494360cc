import type { paths } from './schema';

/**
 * The console's only way to the server: the public control API, with the session cookie the
 * browser sends by itself and the CSRF token (from the `rekey_csrf` cookie) on unsafe methods.
 * Paths, parameters and bodies are typed by the generated OpenAPI types.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = Exclude<paths[P][M], undefined>;

export type PathWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];

type Parameters_<O> = O extends { parameters: infer X } ? X : never;
type PathParameters<O> = Parameters_<O> extends { path: infer X } ? X : never;
type QueryParameters<O> = Parameters_<O> extends { query?: infer Q } ? ([Q] extends [never] ? never : Q) : never;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: infer R }
    ? [NonNullable<R>] extends [never]
      ? never
      : R extends { content: { 'application/json': infer B } }
        ? B
        : never
    : never;

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Described<O> = O extends { responses: infer R } ? JsonOf<R[200 & keyof R]> | JsonOf<R[201 & keyof R]> : never;
/** The documented JSON body of a 200 or 201; `void` for an operation that answers none (204). */
export type ResponseOf<M extends Method, P extends PathWith<M>> = [Described<Operation<P, M>>] extends [never]
  ? void
  : Described<Operation<P, M>>;

export type BodyOf<M extends Method, P extends PathWith<M>> = Body<Operation<P, M>>;

export interface RequestOptions<O> {
  path?: PathParameters<O>;
  query?: QueryParameters<O>;
  body?: Body<O>;
  idempotencyKey?: string;
  /** False for calls that do not need a session (sign-in, registration): a 401 there is an answer, not a signed-out console. */
  session?: boolean;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  reason?: string;
  retryAfter?: number;
  errors?: Array<{ pointer: string; message: string }>;
  resourceId?: string;
  ownerAccountId?: string;
  [field: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  /** Seconds, from the problem's `retryAfter` or the Retry-After header (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, retryAfter: number | undefined) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.status = problem.status;
    this.code = problem.code ?? 'unknown';
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** Why the console stopped being signed in, as the server said it. */
export interface SessionEnd {
  code: string;
  reason?: string;
}

const sessionListeners = new Set<(end: SessionEnd) => void>();

/** Called when a call made with the session answers that the session is over (revoked, expired, unknown). */
export function onSessionEnded(listener: (end: SessionEnd) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'rekey_csrf') return value.join('=');
  }
  return undefined;
}

const SAFE = new Set(['get', 'head']);

function urlOf(template: string, path: Record<string, unknown> | undefined, query: Record<string, unknown> | undefined): string {
  const filled = template.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => encodeURIComponent(String(path?.[name] ?? '')));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

async function send(
  method: string,
  url: string,
  options: { body?: unknown; idempotencyKey?: string; session?: boolean },
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method)) {
    const csrf = csrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    throw new ApiError(
      {
        status: 0,
        code: 'network',
        title: 'Rekey could not be reached',
        detail: 'The server did not answer. Check that it is running and try again.',
      },
      undefined,
    );
  }
  if (response.status === 204) return undefined;
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (response.ok) return json;
  const problem: Problem =
    json && typeof json === 'object'
      ? { ...(json as Problem), status: response.status }
      : { status: response.status, title: response.statusText };
  const header = Number(response.headers.get('retry-after'));
  const retryAfter =
    typeof problem.retryAfter === 'number' ? problem.retryAfter : Number.isFinite(header) && header > 0 ? header : undefined;
  const error = new ApiError(problem, retryAfter);
  if (response.status === 401 && options.session !== false && ['session_revoked', 'expired', 'unauthenticated'].includes(error.code)) {
    const end: SessionEnd = { code: error.code, ...(typeof problem.reason === 'string' ? { reason: problem.reason } : {}) };
    for (const listener of sessionListeners) listener(end);
  }
  throw error;
}

/** One typed call to the control API. */
export function request<M extends Method, P extends PathWith<M>>(
  method: M,
  path: P,
  options: RequestOptions<Operation<P, M>> = {},
): Promise<ResponseOf<M, P>> {
  const url = urlOf(path, options.path as Record<string, unknown> | undefined, options.query as Record<string, unknown> | undefined);
  return send(method, url, options) as Promise<ResponseOf<M, P>>;
}

/** A fresh Idempotency-Key for one confirmed rotation, so a double submit never rotates twice. */
export function newIdempotencyKey(): string {
  return `console-${crypto.randomUUID()}`;
}
