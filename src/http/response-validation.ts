import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Checks every response against the OpenAPI document: its status must be one its operation
 * documents, its media type one that response documents, and a JSON body must match the schema.
 * Test-only: buildApp loads this module when REKEY_VALIDATE_RESPONSES names a file (see
 * test/support/validate-responses.ts), and production never does, so it costs nothing there.
 */

export interface ResponseMismatch {
  method: string;
  path: string;
  status: number;
  problem: string;
  body: string;
}

interface MediaType {
  schema?: object;
}
interface DocumentedResponse {
  content?: Record<string, MediaType>;
}
export interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, DocumentedResponse> }>>;
  components?: object;
}

// RFC 3339 date-time, the format every instant in the document names.
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i;

const DOCUMENT_ID = 'rekey:openapi';
const checks = new Map<string, ReturnType<typeof createResponseCheck>>();

const isJson = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

/** The documented path of a Fastify route: `/v1/clients/:id` → `/v1/clients/{id}`. */
export const documentedPath = (routeUrl: string): string => routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * Returns a check that answers what is wrong with one response, or null when it is as documented
 * (or its route is not in the document: the console, probes and /docs are hidden on purpose).
 */
export function createResponseCheck(
  document: OpenApiDocument,
): (method: string, routeUrl: string, status: number, contentType: string | undefined, body: string) => string | null {
  // Every test server serves the same document: its compiled validators are shared.
  const key = JSON.stringify(document);
  const known = checks.get(key);
  if (known) return known;
  const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { 'date-time': DATE_TIME } });
  // The components are compiled once; each operation's schema refers to them by this id.
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (operation: string, schema: object): ValidateFunction => {
    let validate = validators.get(operation);
    if (!validate) {
      validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOCUMENT_ID}#/components/`)) as object);
      validators.set(operation, validate);
    }
    return validate;
  };

  const check = (method: string, routeUrl: string, status: number, contentType: string | undefined, body: string): string | null => {
    const path = documentedPath(routeUrl);
    const operation = document.paths?.[path]?.[method.toLowerCase()];
    if (!operation) return null;
    const responses = operation.responses ?? {};
    const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!documented) return `status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`;
    const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!documented.content) return body.length === 0 ? null : `a ${status} is documented without a body, but one came (${mediaType})`;
    if (body.length === 0) return `a ${status} is documented with a body (${Object.keys(documented.content).join(', ')}), but none came`;
    const media = documented.content[mediaType];
    if (!media)
      return `${mediaType || 'no content type'} is not documented for ${status} (documented: ${Object.keys(documented.content).join(', ')})`;
    if (!media.schema || !isJson(mediaType)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `the ${mediaType} body is not JSON`;
    }
    const validate = validatorOf(`${method} ${path} ${status} ${mediaType}`, media.schema);
    if (validate(parsed)) return null;
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? 'is invalid'}`).join('; ');
  };
  checks.set(key, check);
  return check;
}

const bodyText = (payload: unknown): string | null => {
  if (payload === undefined || payload === null) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return null; // a stream: not checked
};

type FastPath = (req: IncomingMessage, res: ServerResponse, handOn: () => void) => boolean;

/**
 * Checks every response an app sends, reporting each mismatch as one JSON line appended to
 * `reportFile`: `install` adds an onSend hook to the app, and `wrapFastPath` checks the answers
 * written in front of the framework (whoami-fast-path.ts).
 */
export function createResponseValidation(
  reportFile: string,
  report: (mismatch: ResponseMismatch) => void = (mismatch) => appendFileSync(reportFile, `${JSON.stringify(mismatch)}\n`),
): { install: (app: FastifyInstance) => void; wrapFastPath: (fastPath: FastPath) => FastPath } {
  let documentOf: (() => OpenApiDocument) | undefined;
  let check: ReturnType<typeof createResponseCheck> | undefined;
  const run = (method: string, routeUrl: string, status: number, contentType: unknown, body: string): void => {
    if (method === 'HEAD' || !documentOf) return;
    check ??= createResponseCheck(documentOf());
    const problem = check(method, routeUrl, status, typeof contentType === 'string' ? contentType : undefined, body);
    if (problem) report({ method, path: routeUrl, status, problem, body: body.slice(0, 2000) });
  };

  return {
    install: (app) => {
      documentOf = () => app.swagger() as OpenApiDocument;
      app.addHook('onSend', (request, reply, payload, done) => {
        const body = bodyText(payload);
        const routeUrl = request.routeOptions.url;
        if (body !== null && routeUrl !== undefined) run(request.method, routeUrl, reply.statusCode, reply.getHeader('content-type'), body);
        done(null, payload);
      });
    },
    wrapFastPath: (fastPath) => (req, res, handOn) => {
      const { writeHead: ownWriteHead, end: ownEnd } = res;
      // A request handed on after all is answered by the framework, whose onSend hook checks it.
      const handOnUnchecked = (): void => {
        res.writeHead = ownWriteHead;
        res.end = ownEnd;
        handOn();
      };
      if (!fastPath(req, res, handOnUnchecked)) return false;
      // The fast path answers GET /v1/whoami with writeHead(status, headers) and end(body).
      let headers: Record<string, unknown> = {};
      const writeHead = ownWriteHead.bind(res) as (status: number, headers?: Record<string, unknown>) => ServerResponse;
      const end = ownEnd.bind(res) as (chunk?: unknown) => ServerResponse;
      res.writeHead = ((status: number, given?: Record<string, unknown>) => {
        headers = given ?? {};
        return writeHead(status, given);
      }) as ServerResponse['writeHead'];
      res.end = ((chunk?: unknown) => {
        run('GET', '/v1/whoami', res.statusCode, headers['content-type'] ?? res.getHeader('content-type'), bodyText(chunk) ?? '');
        return end(chunk);
      }) as ServerResponse['end'];
      return true;
    },
  };
}
