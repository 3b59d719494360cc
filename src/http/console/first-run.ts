import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { isFirstRun } from '../../core/accounts/index.js';
import type { AppDeps } from '../app-deps.js';

const FirstRun = Type.Object(
  {
    firstRun: Type.Boolean({ description: 'True while the deployment has no account at all: the console then explains `rekey init`.' }),
  },
  { additionalProperties: false },
);

/**
 * `GET /v1/first-run` (SPEC §7: a first-run page on an empty database). Public, and it tells nothing
 * about any tenant: only whether one exists. Accounts are never deleted, so once one exists the
 * answer is remembered and the store is not asked again.
 */
export function registerFirstRunRoute(app: FastifyInstance, deps: AppDeps): void {
  let hasAccounts = false;
  app.get(
    '/v1/first-run',
    {
      schema: {
        tags: ['console'],
        summary: "Whether this deployment has no account yet (the console's first-run page); public",
        response: { 200: FirstRun },
      },
      config: { auth: 'none' },
    },
    async (_request, reply) => {
      if (!hasAccounts) hasAccounts = !(await isFirstRun(deps.core));
      return reply.header('cache-control', 'no-store').send({ firstRun: !hasAccounts });
    },
  );
}
