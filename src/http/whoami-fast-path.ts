import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthOutcome } from '../core/auth/index.js';
import type { AppDeps } from './app-deps.js';
import { authenticateRequest } from './authenticate-request.js';
import { headerMap } from './data-plane-request.js';
import { createTurnWriter } from './turn-writer.js';

/** What the fast path already decided about a request it handed on; whoami uses it instead of authenticating again. */
export type Precomputed = { outcome: AuthOutcome | Promise<AuthOutcome> } | { thrown: unknown };

const PRECOMPUTED = Symbol('rekey.precomputed');
type Marked = IncomingMessage & { [PRECOMPUTED]?: Precomputed };

/** Takes (once) what the fast path decided about this request, if it saw it. */
export function takePrecomputed(raw: IncomingMessage): Precomputed | undefined {
  const marked = raw as Marked;
  const found = marked[PRECOMPUTED];
  if (found !== undefined) marked[PRECOMPUTED] = undefined;
  return found;
}

/** The same trust rule the app gives Fastify, so both paths see the same caller address. */
export const trustEveryProxy = (): boolean => true;

export function rawAddressOf(raw: IncomingMessage, trustProxy: boolean): string {
  return trustProxy ? proxyAddr(raw, trustEveryProxy) : (raw.socket.remoteAddress ?? '');
}

/** True when a request carries no body, so the route would see none either (a signature may cover one). */
function hasNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

/** Answers a request the fast path took; `handOn` gives it to the framework instead. */
export type FastPath = (req: IncomingMessage, res: ServerResponse, handOn: () => void) => boolean;

/**
 * `GET /v1/whoami` is the data plane's hottest request (SPEC §9). This runs in front of the
 * framework: it authenticates with the very same `authenticateRequest` and, on success, writes the
 * identity itself — the same body and headers the route would send — together with the turn's
 * other answers (turn-writer.ts). A Basic check served from memory answers without a promise; a
 * signed request (RFC 9421, OAuth 1.0a) or a Bearer token answers once its promise settles, after
 * its nonce claim committed. Everything else (failures, rejections, other methods, query strings,
 * a body, debug access logs, shutdown) goes on to the framework with the outcome attached, so no
 * request is ever authenticated twice and every error is rendered in one place.
 *
 * Returns true when it took the request: it then answers it or hands it on itself.
 */
export function createWhoamiFastPath(deps: AppDeps, isClosing: () => boolean): FastPath {
  const { config } = deps;
  const accessLogged = config.logLevel === 'debug' || config.logLevel === 'trace';
  const write = createTurnWriter();
  return (req, res, handOn) => {
    if (accessLogged || req.method !== 'GET' || req.url !== '/v1/whoami' || !hasNoBody(req) || isClosing()) return false;
    const marked = req as Marked;
    let outcome: AuthOutcome | Promise<AuthOutcome>;
    try {
      outcome = authenticateRequest(deps, {
        method: 'GET',
        targetUri: config.publicUrl + req.url,
        headers: headerMap(req.headers),
        body: undefined,
        address: rawAddressOf(req, config.trustProxy),
      });
    } catch (error) {
      marked[PRECOMPUTED] = { thrown: error };
      return false;
    }
    if (outcome instanceof Promise) {
      outcome
        .then(
          (settled) => {
            if (settled.ok) return write(res, JSON.stringify(settled.identity));
            marked[PRECOMPUTED] = { outcome: settled };
            handOn();
          },
          (error: unknown) => {
            marked[PRECOMPUTED] = { thrown: error };
            handOn();
          },
        )
        // The framework renders every error itself; should handing on ever throw, only this request fails.
        .catch((error: unknown) => res.destroy(error instanceof Error ? error : undefined));
      return true;
    }
    if (!outcome.ok) {
      marked[PRECOMPUTED] = { outcome };
      return false;
    }
    write(res, JSON.stringify(outcome.identity));
    return true;
  };
}
