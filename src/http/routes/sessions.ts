import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  SESSION_TTL_MS,
  endOwnSession,
  listOwnSessions,
  revokeAllSessions,
  signIn,
  type PasswordVerifier,
} from '../../core/accounts/index.js';
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../password-hash.js';
import type { AppDeps } from '../app-deps.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../authenticate-control.js';
import { addressOf, callerOf } from '../request-context.js';
import { CREATED, NO_CONTENT, created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const SignInBody = Type.Object(
  {
    accountId: Type.String({ minLength: 1, maxLength: 64 }),
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const EmptyBody = Type.Object({}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });

let dummyHash: Promise<string> | undefined;

/** argon2id through password-hash.ts; the dummy is hashed once per process with the same parameters. */
export const argon2Passwords: PasswordVerifier = {
  verify: (stored, password) => verifyPassword(stored, password),
  dummyHash: () => (dummyHash ??= hashPassword(randomBytes(24).toString('base64url'))),
};

function cookie(name: string, value: string, options: { secure: boolean; httpOnly: boolean; maxAgeSeconds: number }): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${options.maxAgeSeconds}`,
    'SameSite=Lax',
    ...(options.httpOnly ? ['HttpOnly'] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Console sign-in and sessions (SPEC §11). */
export function registerSessionRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core, config } = deps;
  const secure = config.publicUrl.startsWith('https:');
  const tags = ['sessions'];
  const security = [{ adminToken: [] }];
  const clearCookies = (reply: FastifyReply): FastifyReply =>
    reply.header('set-cookie', [
      cookie(SESSION_COOKIE, '', { secure, httpOnly: true, maxAgeSeconds: 0 }),
      cookie(CSRF_COOKIE, '', { secure, httpOnly: false, maxAgeSeconds: 0 }),
    ]);

  app.post<{ Body: Static<typeof SignInBody> }>(
    '/v1/sessions',
    {
      schema: {
        response: CREATED,
        tags,
        summary: 'Sign in to the console: sets the session cookie and returns the CSRF token',
        body: SignInBody,
      },
      config: {
        auth: 'none',
        scope: 'console',
        responses: created(
          ref('SignedIn'),
          undefined,
          'Signed in: the session cookie is set (HttpOnly), and the CSRF token is here and in a cookie.',
        ),
      },
    },
    async (request, reply) => {
      const userAgent = request.headers['user-agent'];
      const signedIn = await signIn(
        core,
        {
          accountId: request.body.accountId,
          email: request.body.email,
          password: request.body.password,
          address: addressOf(request),
          ...(userAgent ? { userAgent } : {}),
        },
        argon2Passwords,
      );
      const maxAgeSeconds = Math.floor(SESSION_TTL_MS / 1000);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .header('set-cookie', [
          cookie(SESSION_COOKIE, signedIn.cookieValue, { secure, httpOnly: true, maxAgeSeconds }),
          cookie(CSRF_COOKIE, signedIn.csrfToken, { secure, httpOnly: false, maxAgeSeconds }),
        ])
        .send({
          sessionId: signedIn.session.id,
          accountId: signedIn.session.accountId,
          memberId: signedIn.session.memberId,
          expiresAt: new Date(signedIn.session.expiresAt).toISOString(),
          csrfToken: signedIn.csrfToken,
        });
    },
  );

  app.get(
    '/v1/sessions',
    {
      schema: { tags, summary: "The caller's own console sessions", security },
      config: { auth: 'control', responses: ok(listOf('Session')) },
    },
    async (request) => ({ items: await listOwnSessions(core, callerOf(request)) }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/sessions/:id',
    {
      schema: { response: NO_CONTENT, tags, summary: 'End one of your own sessions (`current` signs out)', params: IdParams, security },
      config: { auth: 'control' },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await endOwnSession(core, caller, request.params.id);
      const isOwn = caller.actor.type === 'session' && (request.params.id === 'current' || request.params.id === caller.actor.id);
      return (isOwn ? clearCookies(reply) : reply).code(204).send();
    },
  );

  app.post<{ Body: Static<typeof EmptyBody> }>(
    '/v1/sessions/revoke-all',
    {
      schema: { tags, summary: 'End every console session of the account (administrators)', body: EmptyBody, security },
      config: { auth: 'control', permission: 'members.manage', responses: ok(ref('Revoked')) },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await revokeAllSessions(core, caller);
      return (caller.actor.type === 'session' ? clearCookies(reply) : reply).send(result);
    },
  );
}
