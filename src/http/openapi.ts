import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { EVENT_TYPES } from '../core/audit/index.js';
import { ERROR_CODES, type ErrorCode } from '../core/kernel/index.js';
import { SESSION_COOKIE } from './authenticate-control.js';
import { ERROR_CATALOGUE } from './errors.js';
import type { DocumentedResponse, RouteConfig } from './fastify-types.js';
import { RESPONSE_SCHEMAS } from './response-schemas.js';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' } as const;

/** The codes the catalogue answers with `status`. */
const codesWith = (status: number): ErrorCode[] => ERROR_CODES.filter((code) => ERROR_CATALOGUE[code].status === status);

/** A documented problem response: the shared `Problem` schema, and the codes this status carries. */
function problemResponse(status: number, codes: readonly ErrorCode[]): Record<string, unknown> {
  return {
    description: `${ERROR_CATALOGUE[codes[0]!].title}${codes.length > 1 ? ' and related problems' : ''}. Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
    content: {
      'application/problem+json': {
        schema: PROBLEM_REF,
        example: {
          type: `/problems/${codes[0]}`,
          title: ERROR_CATALOGUE[codes[0]!].title,
          status,
          detail: ERROR_CATALOGUE[codes[0]!].description,
          instance: '/v1/…',
          code: codes[0],
          requestId: 'req-1',
        },
      },
    },
  };
}

const CONTROL_401: ErrorCode[] = ['unauthenticated', 'malformed_credential', 'revoked', 'expired', 'session_revoked'];
const DATA_PLANE_401 = codesWith(401);

/**
 * The problems an operation can answer, by what it is: every route validates (400), may be
 * throttled (429) and depends on the store (500, 503); bodies can be too large or of the wrong
 * type; control routes authenticate and authorize; a path id can be unknown; a change can conflict.
 */
function problemResponses(config: RouteConfig | undefined, method: string, url: string, security: unknown): Record<string, unknown> {
  const codes = new Map<number, ErrorCode[]>([[400, ['invalid_request']]]);
  const changes = method !== 'GET' && method !== 'HEAD';
  const schemes = Array.isArray(security) ? security.flatMap((requirement: object) => Object.keys(requirement)) : [];
  if (config?.auth === 'control' || schemes.includes('operatorToken')) {
    codes.set(401, CONTROL_401);
    codes.set(403, ['forbidden']);
  } else if (config?.realm !== undefined || config?.scope !== undefined || schemes.length > 0) codes.set(401, DATA_PLANE_401);
  if (url.includes(':') || url.includes('{')) codes.set(404, ['not_found']);
  if (changes && config?.auth === 'control') codes.set(409, codesWith(409));
  if (changes) {
    codes.set(413, ['payload_too_large']);
    codes.set(415, ['unsupported_media_type']);
  }
  codes.set(429, ['rate_limited']);
  codes.set(500, ['internal']);
  codes.set(503, ['unavailable']);
  for (const code of config?.problems ?? []) {
    const status = ERROR_CATALOGUE[code].status;
    const known = codes.get(status) ?? [];
    if (!known.includes(code)) codes.set(status, [...known, code]);
  }
  return Object.fromEntries([...codes].sort(([a], [b]) => a - b).map(([status, list]) => [status, problemResponse(status, list)]));
}

/** The /oauth/* endpoints refuse as RFC 6749 §5.2 says, never with a problem document. */
function oauthErrorResponse(description: string, error: string): Record<string, unknown> {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/OAuthError' },
        example: { error, error_description: 'The grant_type parameter is required.' },
      },
    },
  };
}

function oauthErrorResponses(): Record<string, unknown> {
  return {
    400: oauthErrorResponse('A malformed request, an unsupported grant or token type, or a scope not allowed.', 'invalid_request'),
    401: oauthErrorResponse('The client did not authenticate (`WWW-Authenticate: Basic`).', 'invalid_client'),
    413: oauthErrorResponse('A body over 1 MiB (`invalid_request`).', 'invalid_request'),
    500: oauthErrorResponse('Something went wrong inside Rekey.', 'server_error'),
    503: oauthErrorResponse('The store is unavailable; retry.', 'temporarily_unavailable'),
  };
}

/** A route's documented success response as an OpenAPI response object. */
function successResponse(response: DocumentedResponse): Record<string, unknown> {
  if (!response.schema) return { description: response.description };
  return {
    description: response.description,
    content: {
      [response.contentType ?? 'application/json']: {
        schema: response.schema,
        ...(response.example !== undefined ? { example: response.example } : {}),
      },
      ...Object.fromEntries(Object.entries(response.alternatives ?? {}).map(([mediaType, alternative]) => [mediaType, alternative])),
    },
  };
}

/** How a control route is called: an admin token, or a console session with its CSRF header. */
const CONTROL_SECURITY = [{ adminToken: [] }, { session: [], csrf: [] }];

/** The success response of a route whose schema declares none (its body is not described yet). */
const OPEN_SUCCESS = { 200: { description: 'Success.' } };

interface TransformInput {
  schema: Record<string, unknown> | undefined;
  url: string;
  route: { method: string | string[]; config?: unknown };
}

/**
 * @fastify/swagger's per-route transform: adds the problem responses and security of each
 * operation to what its route schema declares. Documentation only; what a route validates and
 * serializes stays its own schema.
 */
export function documentOperation({ schema: declaredSchema, url, route }: TransformInput): {
  schema: Record<string, unknown>;
  url: string;
} {
  if (declaredSchema?.hide) return { schema: declaredSchema, url };
  const schema = declaredSchema ?? {};
  const config = route.config as RouteConfig | undefined;
  const method = ([] as string[]).concat(route.method)[0] ?? 'GET';
  const documented = Object.fromEntries(
    Object.entries(config?.responses ?? {}).map(([status, response]) => [status, successResponse(response)]),
  );
  const declared = (schema.response as Record<string, unknown> | undefined) ?? (config?.responses ? {} : OPEN_SUCCESS);
  const problems = url.startsWith('/oauth/') ? oauthErrorResponses() : problemResponses(config, method, url, schema.security);
  return {
    url,
    schema: {
      ...schema,
      ...(config?.auth === 'control' ? { security: CONTROL_SECURITY } : {}),
      response: { ...problems, ...declared, ...documented },
    },
  };
}

/** The OpenAPI document's frame: info, the shared `Problem` schema, event types and every security scheme. */
export const OPENAPI_OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Rekey',
      version: '1',
      description:
        'Issue, verify and rotate API credentials. Control calls (`/v1/clients`, `/v1/apps`, …) authenticate with an admin token or a console session; data-plane calls (`/v1/whoami`, `/v1/integrator/*`, `/oauth/*`) with the credential itself. Every error is `application/problem+json` (see `/problems`), except that `/oauth/*` answers RFC 6749 `{"error", "error_description"}`.',
    },
    components: {
      schemas: {
        Problem: {
          type: 'object',
          description:
            'RFC 9457 problem details; every error Rekey answers on /v1. Some codes add facts of their own (e.g. `ownerAccountId` for `bundle_managed`, `steps` for a guided rotation that stopped).',
          required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId'],
          properties: {
            type: { type: 'string', description: '/problems/<code>, a page documenting the code.' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string', enum: [...ERROR_CODES] },
            requestId: { type: 'string' },
            realm: { type: 'string', description: '401 only.' },
            scope: { type: 'string', description: '401 only.' },
            resourceType: { type: 'string', description: '404 only.' },
            resourceId: { type: 'string', description: '404 only.' },
            errors: {
              type: 'array',
              description: '400 only.',
              items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } },
            },
            retryAfter: { type: 'integer', description: '429 only.' },
            reason: {
              type: 'string',
              description:
                'Why, where a code has several causes: `session_revoked` (`signed_out`, `signed_out_by_admin`, …), `unavailable`.',
            },
          },
        },
        EventType: { type: 'string', enum: Object.keys(EVENT_TYPES), description: 'Audit and webhook event types.' },
        ...RESPONSE_SCHEMAS,
      },
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'An admin API token (`rk_adm_…`): `Authorization: Bearer <token>`.' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'A console session (HttpOnly cookie set by `POST /v1/sessions`). Unsafe methods also need `csrf`.',
        },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: 'The CSRF token of the console session (the `rekey_csrf` cookie), on POST, PUT, PATCH and DELETE.',
        },
        basic: {
          type: 'http',
          scheme: 'basic',
          description: 'Client id and secret (apikey, oauth): `Authorization: Basic base64(id:secret)`.',
        },
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An OAuth 2.0 access token from `POST /oauth/token`.',
        },
        httpSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature',
          description:
            'Integrators sign every request with HTTP Message Signatures (RFC 9421): `Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=…;nonce=…;keyid="<clientId>";alg="hmac-sha256"` and `Signature: sig1=:<base64 HMAC-SHA256 over the signature base, keyed with the client secret>:`. A body needs `Content-Digest` (RFC 9530, sha-256). `created` must be within the allowed clock skew and each nonce is accepted once. See SPEC §4a.',
        },
        appToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An app token (`rk_app_…`), issued when the app is created: `Authorization: Bearer <token>`.',
        },
        operatorToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An operator token (`rk_op_…`, `rekey operator-tokens create`): creates and lists accounts only.',
        },
        leakReporter: {
          type: 'apiKey',
          in: 'header',
          name: 'Github-Public-Key-Signature',
          description:
            'Leaked-secret reports (`POST /v1/leaks`) in the GitHub secret-scanning partner format: `Github-Public-Key-Identifier` names a reporter key configured in `REKEY_LEAK_REPORTER_KEYS_FILE`, and `Github-Public-Key-Signature` is the base64 of the DER ECDSA P-256 / SHA-256 signature of the raw request body.',
        },
        oauth1: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'OAuth 1.0a (RFC 5849) for token-based authentication (tba clients): `Authorization: OAuth realm="<accountId>", oauth_consumer_key, oauth_token, oauth_signature_method="HMAC-SHA256", oauth_timestamp, oauth_nonce, oauth_version="1.0", oauth_signature`, signed over the base string of REKEY_PUBLIC_URL + path.',
        },
      },
    },
  },
  transform: documentOperation as unknown as FastifyDynamicSwaggerOptions['transform'],
  transformObject: (documentObject) =>
    withoutUndescribedBodies((documentObject as unknown as { openapiObject: OpenApiDocument }).openapiObject) as never,
};

interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
}

/**
 * A success response whose body is not described yet is documented by its status alone (no
 * `content`), so generated clients type it as "no described body" rather than as `unknown`.
 */
function withoutUndescribedBodies(document: OpenApiDocument): OpenApiDocument {
  for (const methods of Object.values(document.paths ?? {}))
    for (const operation of Object.values(methods))
      for (const response of Object.values(operation.responses ?? {})) {
        const schema = response.content?.['application/json']?.schema;
        if (schema && Object.keys(schema).every((key) => key === 'description')) delete response.content;
      }
  return document;
}

/**
 * Success responses a route schema declares when it answers 201 or 204. A 201 declares no body
 * shape yet: without a type the serializer passes every field through, so nothing is stripped.
 */
/** A route's documented 200 (or `status`) JSON body, for `config.responses`. */
export function ok(schema: object, example?: unknown, description = 'Success.', status = 200): Record<number, DocumentedResponse> {
  return { [status]: { description, schema, ...(example !== undefined ? { example } : {}) } };
}

/** A route's documented 201 JSON body, for `config.responses`. */
export function created(schema: object, example?: unknown, description = 'Created.'): Record<number, DocumentedResponse> {
  return ok(schema, example, description, 201);
}

export const CREATED = { 201: { description: 'Created.' } } as const;
export const NO_CONTENT = { 204: { description: 'No content.', type: 'null' } } as const;
