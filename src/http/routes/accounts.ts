import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { authenticateOperatorToken, createAccount, listAccounts, type Operator } from '../../core/operators/index.js';
import { RekeyError } from '../../core/kernel/index.js';
import { hashPassword } from '../../password-hash.js';
import type { AppDeps } from '../app-deps.js';
import { created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const CreateAccountBody = Type.Object(
  {
    accountId: Type.String({ minLength: 1, maxLength: 40 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    adminEmail: Type.String({ minLength: 3, maxLength: 320 }),
    adminPassword: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/**
 * The operator API (SPEC §13): tenants are created and listed with an operator token
 * (`Bearer rk_op_…`); an account's admin token is refused here (403), and an operator token is
 * refused on every account route (authenticate-control.ts).
 */
export function registerAccountRoutes(app: FastifyInstance, deps: AppDeps): void {
  const operators = new WeakMap<FastifyRequest, Operator>();
  const operatorOf = (request: FastifyRequest): Operator => {
    const operator = operators.get(request);
    if (!operator) throw new RekeyError('unauthenticated', 'Send an operator token as `Authorization: Bearer rk_op_…`.');
    return operator;
  };
  const authenticateOperator: onRequestHookHandler = (request, _reply, done) => {
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) return done(new RekeyError('unauthenticated', 'Send an operator token as `Authorization: Bearer rk_op_…`.'));
    authenticateOperatorToken(deps.core, match[1]!).then((operator) => {
      operators.set(request, operator);
      done();
    }, done);
  };
  const tags = ['operators'];
  const security = [{ operatorToken: [] }];
  app.get(
    '/v1/accounts',
    {
      schema: { tags, security, summary: 'List every account (operator token)' },
      config: { responses: ok(listOf('Account')) },
      onRequest: authenticateOperator,
    },
    async (request) => {
      operatorOf(request);
      return { items: await listAccounts(deps.core) };
    },
  );
  app.post<{ Body: Static<typeof CreateAccountBody> }>(
    '/v1/accounts',
    {
      schema: {
        tags,
        summary: 'Create an account with its Administrator and admin token (operator token); returned once',
        body: CreateAccountBody,
        security,
      },
      config: {
        problems: ['conflict'],
        responses: created(ref('CreatedAccount'), undefined, 'The account, its Administrator and an admin token (returned this once).'),
      },
      onRequest: authenticateOperator,
    },
    async (request, reply) => {
      const operator = operatorOf(request);
      const { accountId, name, adminEmail, adminPassword } = request.body;
      const passwordHash = adminPassword !== undefined ? await hashPassword(adminPassword) : null;
      const created = await createAccount(deps.core, operator, { accountId, name, adminEmail, passwordHash });
      request.log.info({ operator: operator.id, accountId: created.accountId }, 'account created by operator');
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );
}
