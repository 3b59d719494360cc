import type { RekeyIdentity } from './api-types.js';
import { createControlClient, type VerifyRequest } from './control-client.js';
import { RekeyApiError } from './rekey-api-error.js';

/**
 * Remote verification for resource servers, shared by the Express, Fastify and Hono middleware:
 * each request's credential is checked by Rekey (`POST /v1/verify`), which consumes nonces and
 * counts failures as if the end client had called it.
 *
 * Only positive answers for replayable credentials (`Authorization: Basic` and `Bearer`) are
 * cached, keyed by a SHA-256 of the Authorization header and the end client's address, never the
 * header itself, for at most `cacheTtlMs`. Signed requests (RFC 9421, OAuth 1.0a) always go to
 * Rekey: a cached answer would let a replayed nonce through. So a credential Rekey stops accepting
 * is refused here at most `cacheTtlMs` later; Rekey itself stops it on every node within 1 s
 * (SPEC §9), typically within 100 ms.
 */
export interface CredentialVerifierOptions {
  /** Rekey's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An admin token holding `credentials.verify` and, to forward end clients' addresses, `credentials.verify.forwarded`. */
  adminToken: string;
  /** How long a positive answer is reused: 0 to 1000 ms, default 1000. */
  cacheTtlMs?: number;
  /** Cached answers kept at most (default 10 000; the oldest goes first). */
  maxCacheEntries?: number;
  /**
   * Send the end client's address as `sourceAddress` (default true), so Rekey's per-source throttles
   * and locks hit that client rather than this server. The token needs
   * `credentials.verify.forwarded`; when Rekey refuses the field for lack of it, `onError` is told
   * once and the verifier goes on without forwarding. `false` never sends it.
   */
  forwardSourceAddress?: boolean;
  /** The `WWW-Authenticate` challenge sent with a 401. */
  challenge?: string;
  /** Where the problem documents' `type` points: `<problemTypeBase>/problems/<code>` (default: `url`). */
  problemTypeBase?: string;
  /** Told when Rekey could not answer (unreachable, 5xx, a token lacking `credentials.verify`); the request got a 503. */
  onError?: (error: unknown) => void;
  fetch?: typeof fetch;
  /** The clock, in ms; injectable for tests. */
  now?: () => number;
}

export interface IncomingRequest {
  method: string;
  /** The full URL as the end client used it (scheme, host, path and query). */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The raw body; needed only when `needsBody(headers)` says so. */
  body?: Uint8Array;
  /** The end client's address as this server saw it. */
  sourceAddress?: string;
}

export interface VerifyProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  retryAfter?: number;
}

export type CredentialVerdict =
  | { ok: true; identity: RekeyIdentity; cached: boolean }
  | { ok: false; status: number; problem: VerifyProblem; headers: Record<string, string> };

export interface CredentialVerifier {
  verify(request: IncomingRequest): Promise<CredentialVerdict>;
  /** Forgets every cached answer. */
  clear(): void;
}

export const MAX_CACHE_TTL_MS = 1000;
const DEFAULT_CHALLENGE = 'Basic realm="rekey", Bearer realm="rekey", Signature realm="rekey"';
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};
// Headers Rekey reads besides those a signature covers; cookies and the rest are never forwarded.
const FORWARDED = ['authorization', 'signature', 'signature-input', 'content-digest', 'content-type', 'user-agent'];

function lowerCaseHeaders(headers: IncomingRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Whether the credential signs the body (RFC 9421 or OAuth 1.0a), so Rekey needs the raw bytes. */
export function needsBody(headers: IncomingRequest['headers']): boolean {
  const map = lowerCaseHeaders(headers);
  return map['signature-input'] !== undefined || /^oauth\s/i.test(map['authorization'] ?? '');
}

/** Field names the request's signatures cover (`"date"` in `("@method" "date")`); derived components excluded. */
function coveredFields(signatureInput: string | undefined): string[] {
  if (signatureInput === undefined) return [];
  const names: string[] = [];
  for (const list of signatureInput.match(/\([^)]*\)/g) ?? []) {
    for (const match of list.matchAll(/"([^"@][^"]*)"/g)) names.push((match[1] ?? '').toLowerCase());
  }
  return names;
}

/** Rekey's 403 for a token that lacks `credentials.verify.forwarded`. */
function refusesForwarding(error: unknown): boolean {
  return error instanceof RekeyApiError && error.status === 403 && error.problem?.['permission'] === 'credentials.verify.forwarded';
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function createCredentialVerifier(options: CredentialVerifierOptions): CredentialVerifier {
  const ttlMs = options.cacheTtlMs ?? MAX_CACHE_TTL_MS;
  if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_CACHE_TTL_MS) {
    throw new RangeError(
      `cacheTtlMs must be between 0 and ${MAX_CACHE_TTL_MS}: Rekey stops a revoked credential within 1 s, and the cache must not stretch that much further.`,
    );
  }
  const maxEntries = options.maxCacheEntries ?? 10_000;
  const now = options.now ?? (() => Date.now());
  const control = createControlClient({
    url: options.url,
    adminToken: options.adminToken,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const typeBase = (options.problemTypeBase ?? options.url).replace(/\/+$/, '');
  const challenge = options.challenge ?? DEFAULT_CHALLENGE;
  const cache = new Map<string, { identity: RekeyIdentity; until: number }>();
  let forwarding = options.forwardSourceAddress ?? true;

  const refuse = (status: number, code: string, detail: string, retryAfter?: number): CredentialVerdict => {
    const headers: Record<string, string> = {};
    if (status === 401) headers['www-authenticate'] = challenge;
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    const problem: VerifyProblem = { type: `${typeBase}/problems/${code}`, title: TITLES[status] ?? 'Error', status, detail, code };
    if (retryAfter !== undefined) problem.retryAfter = retryAfter;
    return { ok: false, status, problem, headers };
  };

  return {
    async verify(request) {
      const headers = lowerCaseHeaders(request.headers);
      const authorization = headers['authorization'];
      const signed = headers['signature-input'] !== undefined || headers['signature'] !== undefined;
      if (authorization === undefined && !signed) return refuse(401, 'unauthenticated', 'No credentials were sent.');

      const cacheable = !signed && authorization !== undefined && /^(basic|bearer)\s/i.test(authorization) && ttlMs > 0;
      const key = cacheable ? await sha256Hex(`${authorization}\n${request.sourceAddress ?? ''}`) : undefined;
      if (key !== undefined) {
        const hit = cache.get(key);
        if (hit && hit.until > now()) return { ok: true, identity: hit.identity, cached: true };
        if (hit) cache.delete(key);
      }

      const forwarded: Record<string, string> = {};
      for (const name of [...FORWARDED, ...coveredFields(headers['signature-input'])]) {
        const value = headers[name];
        if (value !== undefined) forwarded[name] = value;
      }
      const verifyRequest: VerifyRequest = { method: request.method, url: request.url, headers: forwarded };
      if (request.body !== undefined && request.body.length > 0 && needsBody(headers)) verifyRequest.body = request.body;
      if (forwarding && request.sourceAddress !== undefined) verifyRequest.sourceAddress = request.sourceAddress;

      let answer;
      try {
        try {
          answer = await control.verify(verifyRequest);
        } catch (error) {
          if (verifyRequest.sourceAddress === undefined || !refusesForwarding(error)) throw error;
          // The token may verify but not forward: say so once, then verify as this server.
          forwarding = false;
          options.onError?.(error);
          delete verifyRequest.sourceAddress;
          answer = await control.verify(verifyRequest);
        }
      } catch (error) {
        options.onError?.(error);
        if (error instanceof RekeyApiError && (error.status === 503 || error.status === 429)) {
          // 429: this server's token sent more forwarded verifications than Rekey allows it a minute.
          return error.status === 429
            ? refuse(429, 'rate_limited', 'Too many requests are being verified right now.', error.retryAfter)
            : refuse(503, 'unavailable', 'Credentials cannot be verified right now.', error.retryAfter);
        }
        // A misconfigured token or an unreachable Rekey must never let a request through.
        return refuse(503, 'unavailable', 'Credentials cannot be verified right now.');
      }

      if (answer.valid) {
        const { valid: _valid, code: _code, ...identity } = answer;
        if (key !== undefined) {
          if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
          cache.set(key, { identity, until: now() + ttlMs });
        }
        return { ok: true, identity, cached: false };
      }
      const retryAfter = typeof answer.retryAfter === 'number' ? answer.retryAfter : undefined;
      const status =
        answer.code === 'invalid_request' ? 400 : answer.code === 'rate_limited' ? 429 : answer.code === 'unavailable' ? 503 : 401;
      return refuse(status, answer.code, answer.detail ?? 'The credential was refused.', retryAfter);
    },
    clear() {
      cache.clear();
    },
  };
}
