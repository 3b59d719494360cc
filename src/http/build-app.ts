import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type onRequestHookHandler,
  type onResponseHookHandler,
} from 'fastify';
import swagger from '@fastify/swagger';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { RekeyError } from '../core/kernel/index.js';
import { requirePermission } from '../core/accounts/index.js';
import type { AppDeps } from './app-deps.js';
import { authenticateControl } from './authenticate-control.js';
import { statusOf, toProblem } from './errors.js';
import { refuseUnholdableIds } from './refuse-unholdable-ids.js';
import { clientErrorHandler } from './client-error-handler.js';
import { logSerializers } from './log-serializers.js';
import type { RouteConfig } from './fastify-types.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerPortalRoutes } from './routes/portal.js';
import { registerTbaRoutes } from './routes/tba.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerClientRoutes } from './routes/clients.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerIntegratorRoutes } from './routes/integrator.js';
import { registerLeakRoutes } from './routes/leaks.js';
import { registerRotationRoutes } from './routes/rotation.js';
import { registerWhoamiRoutes } from './routes/whoami.js';
import { createWhoamiFastPath, trustEveryProxy } from './whoami-fast-path.js';
import { OPENAPI_OPTIONS } from './openapi.js';
import { registerConsole } from './console/register-console.js';
import { createMetrics, createRouteDurations, type RouteDurations } from './metrics.js';
import { registerProbeRoutes } from './routes/probes.js';
import { createVerificationTally } from './verification-tally.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** How long requests in flight may take to finish once the app closes (SPEC §13). */
export const SHUTDOWN_GRACE_MS = 10_000;

// Request ids: unique per process start, cheap on the hot path (no CSPRNG call per request).
const requestIdPrefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x');
let requestCounter = 0;

function pointerOf(error: { instancePath: string; keyword: string; params: Record<string, unknown> }): string {
  if (error.keyword === 'required') return `${error.instancePath}/${String(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${String(error.params.additionalProperty)}`;
  return error.instancePath === '' ? '' : error.instancePath;
}

function messageOf(
  error: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> },
  context: string,
): string {
  const where = context === 'body' ? '' : ` (${context === 'querystring' ? 'query parameter' : context})`;
  if (error.keyword === 'additionalProperties') return `Unknown field "${String(error.params.additionalProperty)}"${where}.`;
  if (error.keyword === 'required') return `Missing required field "${String(error.params.missingProperty)}"${where}.`;
  const field = error.instancePath ? `${error.instancePath.slice(1)} ` : '';
  return `${field}${error.message ?? 'is invalid'}${where}.`;
}

/** Converts whatever was thrown into a RekeyError; unknown errors become `internal`. */
function asRekeyError(error: unknown, request: FastifyRequest): RekeyError {
  if (error instanceof RekeyError) return error;
  const fastifyError = error as FastifyError & {
    validation?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }>;
    validationContext?: string;
  };
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'body';
    const errors = fastifyError.validation.map((item) => ({ pointer: pointerOf(item), message: messageOf(item, context) }));
    return new RekeyError('invalid_request', errors.map((item) => item.message).join(' '), { errors });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RekeyError('payload_too_large', `Request bodies are limited to ${BODY_LIMIT_BYTES} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RekeyError('unsupported_media_type', 'This endpoint accepts application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new RekeyError('invalid_request', 'The request body could not be read.');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    if (fastifyError.statusCode === 413)
      return new RekeyError('payload_too_large', `Request bodies are limited to ${BODY_LIMIT_BYTES} bytes.`);
    if (fastifyError.statusCode === 415) return new RekeyError('unsupported_media_type', 'This endpoint accepts application/json.');
    return new RekeyError('invalid_request', 'The request could not be read.');
  }
  request.log.error({ err: { type: fastifyError.name, message: fastifyError.message, stack: fastifyError.stack } }, 'unexpected error');
  return new RekeyError('internal', 'Something went wrong inside Rekey. Quote the request id when reporting it.');
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: RekeyError): FastifyReply {
  const status = statusOf(error, request.routeOptions.config?.auth === 'control' ? 'control' : 'data');
  const problem = toProblem(error, { instance: request.url.split('?')[0] ?? request.url, requestId: String(request.id), status });
  if (status === 401) {
    const realm = (problem.realm as string | undefined) ?? request.routeOptions.config?.realm ?? 'rekey';
    problem.realm = realm;
    if (problem.scope === undefined) problem.scope = request.routeOptions.config?.scope ?? 'rekey';
    const challenge =
      typeof error.fields.challenge === 'string'
        ? error.fields.challenge
        : `Bearer realm="${realm}"${request.headers.authorization ? ', error="invalid_token"' : ''}`;
    reply.header('www-authenticate', challenge);
  }
  if (status === 429 && typeof problem.retryAfter === 'number') reply.header('retry-after', String(problem.retryAfter));
  if (status === 503) reply.header('retry-after', '1');
  return reply
    .code(status)
    .header('content-type', 'application/problem+json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(problem));
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}

/** The HTTP app: API, OAuth endpoints and console on one instance. Never listens by itself. */
export async function buildApp(appDeps: AppDeps): Promise<FastifyInstance> {
  const deps: AppDeps = { ...appDeps, verifications: appDeps.verifications ?? createVerificationTally() };
  const metrics = createMetrics(deps.core, deps.verifications!, deps.observed);
  const durationsOf = createRouteDurations(metrics);
  // Requests no route matches, by method (Node's parser accepts only its closed set of methods).
  const unmatched = new Map<string, RouteDurations>();
  const unmatchedDurations = (method: string): RouteDurations => {
    let observe = unmatched.get(method);
    if (observe === undefined) unmatched.set(method, (observe = durationsOf(method, 'unmatched')));
    return observe;
  };
  let closing = false;
  // Test runs name a report file: every response is then checked against the OpenAPI document.
  const reportFile = process.env.REKEY_VALIDATE_RESPONSES;
  const validation = reportFile ? (await import('./response-validation.js')).createResponseValidation(reportFile) : undefined;
  const fastPath = validation
    ? validation.wrapFastPath(createWhoamiFastPath(deps, () => closing))
    : createWhoamiFastPath(deps, () => closing);
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      stream: deps.logStream,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers.signature', 'req.headers["x-csrf-token"]'],
        remove: true,
      },
      serializers: logSerializers,
    },
    clientErrorHandler,
    // A path whose escapes do not decode, or an id longer than the router reads, names nothing (SPEC §5).
    frameworkErrors: (error, request, reply) => {
      const path = request.url.split('?')[0] ?? request.url;
      const unknownPath = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(
        reply,
        request,
        unknownPath
          ? new RekeyError('not_found', 'No resource has that path.', { resourceType: 'route', resourceId: path })
          : asRekeyError(error, request),
      );
    },

    // One debug line per request (onResponse below) instead of two info lines: access logs are opt-in.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Unknown ids of any shape answer 404, so long ones must reach the router.
    routerOptions: { maxParamLength: 2048 },
    trustProxy: deps.config.trustProxy ? trustEveryProxy : false,
    // The data plane's hottest request is answered in front of the framework (whoami-fast-path.ts).
    serverFactory: (handler, fastifyOptions) => {
      // Fastify normalises these before calling the factory; its own server applies the same three.
      const options = fastifyOptions as unknown as { keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number };
      const server = createServer((req, res) => {
        if (!fastPath(req, res, () => handler(req, res))) handler(req, res);
      });
      server.keepAliveTimeout = options.keepAliveTimeout;
      server.requestTimeout = options.requestTimeout;
      server.setTimeout(options.connectionTimeout);
      return server;
    },
    genReqId: () => `req_${requestIdPrefix}${(requestCounter++).toString(36)}`,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true } },
    return503OnClosing: true,
    // Idle connections close at once; requests in flight finish (SPEC §13), see preClose below.
    forceCloseConnections: 'idle',
  });

  // A keep-alive connection whose request was in flight when closing began becomes idle when it is
  // answered: close those as they appear, and cut whatever is still open after 10 s.
  let reaper: NodeJS.Timeout | undefined;
  let cutoff: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    closing = true;
    reaper = setInterval(() => app.server.closeIdleConnections(), 25);
    cutoff = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    reaper.unref();
    cutoff.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(reaper);
    clearTimeout(cutoff);
    done();
  });
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('caller', undefined);
  app.decorateRequest('identityForRotation', undefined);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    const accepts = request.routeOptions.config?.accepts ?? 'json';
    const contentType = request.headers['content-type'];
    if (accepts === 'raw') {
      if (isJson(contentType) || body.length === 0) return done(null, undefined);
      return done(new RekeyError('unsupported_media_type', 'This endpoint accepts application/json.'), undefined);
    }
    if (isJson(contentType) && accepts !== 'form') {
      if (body.length === 0) return done(null, {});
      try {
        return done(null, JSON.parse(body.toString('utf8')));
      } catch {
        return done(new RekeyError('invalid_request', 'The request body is not valid JSON.'), undefined);
      }
    }
    if (accepts === 'any') return done(null, undefined);
    const isForm = contentType?.split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
    if (accepts === 'form' && isForm) return done(null, body.toString('utf8'));
    if (body.length === 0 && accepts === 'json') return done(null, {});
    return done(
      new RekeyError(
        'unsupported_media_type',
        accepts === 'form' ? 'This endpoint accepts application/x-www-form-urlencoded.' : 'This endpoint accepts application/json.',
      ),
      undefined,
    );
  });

  app.setErrorHandler((error, request, reply) => sendProblem(reply, request, asRekeyError(error, request)));
  app.setNotFoundHandler((request, reply) => {
    unmatchedDurations(request.method)(404, reply.elapsedTime);
    return sendProblem(
      reply,
      request,
      new RekeyError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`, {
        resourceType: 'route',
        resourceId: request.url.split('?')[0],
      }),
    );
  });

  // Control-plane authentication and the declared permission, shared by every route that asks for it.
  // It runs before the body is even read, so unauthenticated callers learn nothing about schemas.
  const authenticateControlRoute: onRequestHookHandler = (request, _reply, done) => {
    const config = request.routeOptions.config;
    authenticateControl(deps, request)
      .then(async (caller) => {
        request.caller = caller;
        if (config?.permission)
          await requirePermission(deps.core, caller, config.permission, `${request.method} ${request.routeOptions.url}`);
      })
      .then(() => done(), done);
  };

  // Changes (and refusals) are logged at info; reads, including the data-plane hot path, only at
  // debug. Only method, route, status and timing: never headers, bodies or query strings.
  const logRequest =
    (level: 'info' | 'debug'): onResponseHookHandler =>
    (request, reply, done) => {
      request.log[level](
        { method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
      done();
    };

  // rekey_http_request_duration_seconds: each route observes its own answers (metrics.ts).
  const observeDurations = (methods: string[], url: string): onResponseHookHandler => {
    const byMethod = new Map<string, RouteDurations>(methods.map((method) => [method, durationsOf(method, url)]));
    return (request, reply, done) => {
      byMethod.get(request.method)?.(reply.statusCode, reply.elapsedTime);
      done();
    };
  };

  const logsDebug = app.log.level === 'debug' || app.log.level === 'trace';
  const logsInfo = logsDebug || app.log.level === 'info';
  // Hooks are attached per route, as declared, so the data plane runs none at all.
  app.addHook('onRoute', (route) => {
    const config = route.config as RouteConfig | undefined;
    const methods = ([] as string[]).concat(route.method);
    const isRead = methods.every((method) => method === 'GET' || method === 'HEAD');
    const attach = <T>(existing: T | T[] | undefined, hook: T, first: boolean): T[] => {
      const list = existing === undefined ? [] : ([] as T[]).concat(existing);
      return first ? [hook, ...list] : [...list, hook];
    };
    if (config?.auth === 'control') route.onRequest = attach(route.onRequest, authenticateControlRoute, true);
    if (route.url.includes('/:')) route.preValidation = attach(route.preValidation, refuseUnholdableIds, true);
    const accessLog = config?.accessLog ?? (isRead ? 'debug' : 'info');
    if (accessLog === 'info' ? logsInfo : logsDebug) route.onResponse = attach(route.onResponse, logRequest(accessLog), false);
    route.onResponse = attach(route.onResponse, observeDurations(methods, route.url), false);
  });

  await app.register(swagger, OPENAPI_OPTIONS);
  validation?.install(app);

  registerClientRoutes(app, deps);
  registerRotationRoutes(app, deps);
  registerWhoamiRoutes(app, deps);
  registerIntegratorRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerTbaRoutes(app, deps);
  registerAppRoutes(app, deps);
  registerOAuthRoutes(app, deps);
  registerPortalRoutes(app, deps);
  registerDocsRoutes(app);
  registerConsole(app, deps);
  registerAccountRoutes(app, deps);
  registerLeakRoutes(app, deps);

  registerProbeRoutes(app, deps, metrics);
  return app;
}
