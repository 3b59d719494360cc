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

/**
 * `GET /v1/whoami` with Basic credentials is the data plane's hottest request (SPEC §9). This
 * runs in front of the framework: it authenticates with the very same `authenticateRequest`
 * and, when the answer is an immediate success, writes the identity itself — the same body and
 * headers the route would send — together with the turn's other answers (turn-writer.ts).
 * Everything else (failures, cache misses, lockout writes, other methods, query strings, debug
 * access logs, shutdown) goes on to the framework with the outcome attached, so no request is
 * ever authenticated twice and every error is rendered in one place.
 *
 * Returns true when it answered.
 */
export function createWhoamiFastPath(deps: AppDeps, isClosing: () => boolean): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { config } = deps;
  const accessLogged = config.logLevel === 'debug' || config.logLevel === 'trace';
  const write = createTurnWriter();
  return (req, res) => {
    if (accessLogged || req.method !== 'GET' || req.url !== '/v1/whoami') return false;
    const authorization = req.headers.authorization;
    if (authorization === undefined || !/^basic /i.test(authorization) || isClosing()) return false;
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
      (req as Marked)[PRECOMPUTED] = { thrown: error };
      return false;
    }
    if (outcome instanceof Promise || !outcome.ok) {
      // The route awaits it; this only keeps an early rejection from counting as unhandled.
      if (outcome instanceof Promise) outcome.catch(() => undefined);
      (req as Marked)[PRECOMPUTED] = { outcome };
      return false;
    }
    write(res, JSON.stringify(outcome.identity));
    return true;
  };
}
