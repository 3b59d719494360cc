import type { Identity } from '../core/auth/index.js';
import type { Caller } from '../core/kernel/index.js';
import type { Permission } from '../core/accounts/index.js';
import type { ErrorCode } from '../core/kernel/index.js';

/** `raw`: JSON kept unparsed in `rawBody` (a route that checks a signature over the bytes parses it itself). */
export type BodyKind = 'json' | 'form' | 'any' | 'raw';

/** Per-route declarations read by the shared hooks. */
export interface RouteConfig {
  /** Who may call: an admin token or console session, a data-plane credential, or anyone. */
  auth?: 'control' | 'none';
  /** The permission the route needs; checked (and a denial audited) before the handler runs. */
  permission?: Permission;
  /** Accepted request body types; default JSON only. */
  accepts?: BodyKind;
  /** The realm and scope named in 401 answers. */
  realm?: string;
  scope?: string;
  /**
   * The level of the route's one access-log line. Default: `debug` for reads, `info` for calls
   * that may change something. Data-plane routes that change nothing but answer with POST (token
   * issuance, introspection, whoami) say `debug`: a log write per request is measurable there.
   */
  accessLog?: 'info' | 'debug';
  /** Problems the route answers beyond what its kind implies (OpenAPI documentation only). */
  alsoAnswers?: ErrorCode[];
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody: Buffer | undefined;
    caller: Caller | undefined;
    identityForRotation: Identity | undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends RouteConfig {}
}
