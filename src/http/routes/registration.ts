import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { registerPortal } from '../../core/portal/index.js';
import type { AppDeps } from '../app-deps.js';
import { addressOf } from '../request-context.js';
import { argon2Passwords } from './sessions.js';
import { ok } from '../openapi.js';
import { REGISTRATION_EXAMPLE } from '../response-examples.js';
import { ref } from '../response-schemas.js';

const RegisterBody = Type.Object(
  {
    companyId: Type.String({ minLength: 1, maxLength: 64, description: 'The account id.' }),
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** Portal registration (SPEC §5, seed 001): the member signs in with the body; no token needed. */
export function registerRegistrationRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: Static<typeof RegisterBody> }>(
    '/v1/register',
    {
      schema: {
        tags: ['registration'],
        summary: 'Run the portal registration: issues or replaces the portal secret (never returned; it goes to the portal app)',
        body: RegisterBody,
      },
      config: {
        auth: 'none',
        realm: 'registration',
        scope: 'registration',
        problems: ['forbidden'],
        responses: ok(ref('Registration'), REGISTRATION_EXAMPLE, 'The portal key account and its new version (never its secret).'),
      },
    },
    async (request, reply) => {
      const result = await registerPortal(deps.core, { ...request.body, address: addressOf(request) }, argon2Passwords);
      return reply.header('cache-control', 'no-store').send(result);
    },
  );
}
