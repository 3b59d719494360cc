import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthContext } from '../core/auth/index.js';
import { addressOf } from './request-context.js';
import { sourceOf } from './source-of.js';

/** A data-plane request, either as received or as described to POST /v1/verify. */
export interface DataPlaneRequest {
  method: string;
  /** The absolute target URI (public base URL + request target). */
  targetUri: string;
  /** Lower-case names; repeated fields joined with ", ". */
  headers: Record<string, string | undefined>;
  body: Buffer | undefined;
  address: string;
}

export interface RequestAuthOptions {
  /** POST /v1/verify: only this account's credentials verify. */
  accountId?: string;
  /** Restrict to one method (the integrator endpoint accepts signatures only). */
  only?: 'http_signature';
}

/** Flattens Node's header object into the lower-case name → value map the authenticators read. */
export function headerMap(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  // Node already lower-cases names and joins repeated fields; only Set-Cookie stays an array.
  const setCookie = headers['set-cookie'];
  if (setCookie === undefined) return headers as Record<string, string | undefined>;
  return { ...headers, 'set-cookie': setCookie.join(', ') } as Record<string, string | undefined>;
}

export function dataPlaneRequestOf(request: FastifyRequest, publicUrl: string): DataPlaneRequest {
  return {
    method: request.method,
    targetUri: publicUrl + request.url,
    headers: headerMap(request.headers),
    body: request.rawBody,
    address: addressOf(request),
  };
}

/** Where an attempt came from: recorded for stale-secret usage and used by lockout throttles. */
export function contextOf(request: DataPlaneRequest): AuthContext {
  // One object shape whatever the request carries: this runs on every authentication.
  const appId = request.headers['rekey-app-id'];
  const userAgent = request.headers['user-agent'];
  return {
    address: request.address,
    source: sourceOf(request.address),
    appId: appId === undefined ? undefined : appId.slice(0, 200),
    userAgent: userAgent === undefined ? undefined : userAgent.slice(0, 500),
  };
}
