import type { Identity } from '../core/auth/index.js';
import type { Caller, ErrorCode } from '../core/kernel/index.js';
import type { Permission } from '../core/accounts/index.js';

/** `raw`: JSON kept unparsed in `rawBody` (a route that checks a signature over the bytes parses it itself). */
export type BodyKind = 'json' | 'form' | 'any' | 'raw';

/** A success response as the OpenAPI document describes it (openapi.ts). */
export interface DocumentedResponse {
  description: string;
  /** The body's JSON Schema; none for an empty body. */
  schema?: object;
  /** A typical body, shown by /docs. */
  example?: unknown;
  /** Default `application/json`. */
  contentType?: string;
  /** Other media types the same status may answer with (e.g. an NDJSON export), each with its schema. */
  alternatives?: Record<string, { schema: object }>;
}

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
  /**
   * The route's success responses, for the OpenAPI document only: what the handler returns is
   * serialized as it is (a response schema in `schema.response` would make Fastify drop every
   * field it does not declare). The test suite checks real responses against them.
   */
  responses?: Readonly<Record<number, DocumentedResponse>>;
  /** Problem codes the route answers besides those its kind implies (openapi.ts), for the document. */
  problems?: readonly ErrorCode[];
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
