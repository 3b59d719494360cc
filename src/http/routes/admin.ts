import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  PERMISSIONS,
  type Permission,
  createAdminToken,
  createMember,
  createRole,
  deleteRole,
  getCurrentMember,
  listAdminTokens,
  listMembers,
  listRoles,
  removeMember,
  revokeAdminToken,
  setMemberPassword,
  setMemberRoles,
  updateRole,
} from '../../core/accounts/index.js';
import { hashPassword } from '../../password-hash.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { CREATED, NO_CONTENT, created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const PermissionList = Type.Array(Type.Union(PERMISSIONS.map((permission) => Type.Literal(permission))), {
  maxItems: PERMISSIONS.length,
  uniqueItems: true,
});
const RoleName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1F]+$' });
const Password = Type.String({ minLength: 8, maxLength: 1024, description: 'At least 8 characters.' });
const IdParams = Type.Object({ id: Type.String() });
const NameParams = Type.Object({ name: Type.String() });

const MemberBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    roles: Type.Array(RoleName, { maxItems: 50, uniqueItems: true }),
    password: Type.Optional(Password),
  },
  { additionalProperties: false },
);
const MemberRolesBody = Type.Object({ roles: Type.Array(RoleName, { maxItems: 50, uniqueItems: true }) }, { additionalProperties: false });
const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
const RoleBody = Type.Object({ name: RoleName, permissions: PermissionList }, { additionalProperties: false });
const RolePermissionsBody = Type.Object({ permissions: PermissionList }, { additionalProperties: false });
const TokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    permissions: Type.Optional(PermissionList),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 5 * 365 * 86_400 })),
  },
  { additionalProperties: false },
);

/** Members, roles and admin tokens: the account's people and their permissions. */
export function registerAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;
  const tags = ['members'];
  const security = [{ adminToken: [] }];
  const memberIdOf = (id: string, callerMemberId: string): string => (id === 'me' ? callerMemberId : id);

  app.get(
    '/v1/members',
    {
      schema: { tags, security, summary: "List the account's members" },
      config: { auth: 'control', permission: 'members.manage', responses: ok(listOf('Member')) },
    },
    async (request) => ({
      items: await listMembers(core, callerOf(request)),
    }),
  );
  app.get(
    '/v1/members/me',
    {
      schema: { tags, security, summary: 'The calling member and their live permissions' },
      config: { auth: 'control', responses: ok(ref('CurrentMember')) },
    },
    async (request) => {
      return getCurrentMember(core, callerOf(request));
    },
  );
  app.post<{ Body: Static<typeof MemberBody> }>(
    '/v1/members',
    {
      schema: { response: CREATED, tags, security, summary: 'Add a member (optionally with a console password)', body: MemberBody },
      config: { auth: 'control', permission: 'members.manage', responses: created(ref('Member')) },
    },
    async (request, reply) => {
      // Hashing is slow on purpose: it runs before, never inside, the transaction.
      const passwordHash = request.body.password !== undefined ? await hashPassword(request.body.password) : null;
      return reply
        .code(201)
        .send(await createMember(core, callerOf(request), { email: request.body.email, roles: request.body.roles, passwordHash }));
    },
  );
  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof MemberRolesBody> }>(
    '/v1/members/:id/roles',
    {
      schema: {
        tags,
        security,
        summary: "Replace a member's roles; tokens of lost roles are revoked",
        params: IdParams,
        body: MemberRolesBody,
      },
      config: { auth: 'control', permission: 'members.manage', responses: ok(ref('Member')) },
    },
    async (request) => setMemberRoles(core, callerOf(request), request.params.id, request.body.roles),
  );
  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof PasswordBody> }>(
    '/v1/members/:id/password',
    {
      schema: {
        response: NO_CONTENT,
        tags,
        security,
        summary: "Set a console password (`me` for your own); the member's other sessions end",
        params: IdParams,
        body: PasswordBody,
      },
      config: { auth: 'control' },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await setMemberPassword(core, caller, memberIdOf(request.params.id, caller.memberId), () => hashPassword(request.body.password));
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/members/:id',
    {
      schema: {
        response: NO_CONTENT,
        tags,
        security,
        summary: 'Remove a member: their tokens, sessions and admin tokens end',
        params: IdParams,
      },
      config: { auth: 'control', permission: 'members.manage' },
    },
    async (request, reply) => {
      await removeMember(core, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/roles',
    {
      schema: { tags, security, summary: 'List roles, the built-in Administrator first' },
      config: { auth: 'control', permission: 'members.manage', responses: ok(listOf('Role')) },
    },
    async (request) => ({
      items: await listRoles(core, callerOf(request)),
    }),
  );
  app.post<{ Body: Static<typeof RoleBody> }>(
    '/v1/roles',
    {
      schema: { response: CREATED, tags, security, summary: 'Define a custom role (only permissions you hold)', body: RoleBody },
      config: { auth: 'control', permission: 'members.manage', responses: created(ref('Role')) },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await createRole(core, callerOf(request), { name: request.body.name, permissions: request.body.permissions as Permission[] }),
        ),
  );
  app.put<{ Params: Static<typeof NameParams>; Body: Static<typeof RolePermissionsBody> }>(
    '/v1/roles/:name',
    {
      schema: { tags, security, summary: "Change a custom role's permissions", params: NameParams, body: RolePermissionsBody },
      config: { auth: 'control', permission: 'members.manage', responses: ok(ref('Role')) },
    },
    async (request) => updateRole(core, callerOf(request), request.params.name, request.body.permissions as Permission[]),
  );
  app.delete<{ Params: Static<typeof NameParams> }>(
    '/v1/roles/:name',
    {
      schema: {
        response: NO_CONTENT,
        tags,
        security,
        summary: 'Delete a custom role: members lose it, and their tokens for it are revoked',
        params: NameParams,
      },
      config: { auth: 'control', permission: 'members.manage' },
    },
    async (request, reply) => {
      await deleteRole(core, callerOf(request), request.params.name);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/admin-tokens',
    {
      schema: { tags, security, summary: 'List admin tokens (your own, or all with members.manage)' },
      config: { auth: 'control', responses: ok(listOf('AdminToken')) },
    },
    async (request) => ({
      items: await listAdminTokens(core, callerOf(request)),
    }),
  );
  app.post<{ Body: Static<typeof TokenBody> }>(
    '/v1/admin-tokens',
    {
      schema: { response: CREATED, tags, security, summary: 'Create an admin token for yourself; returned once', body: TokenBody },
      config: { auth: 'control', responses: created(ref('CreatedAdminToken')) },
    },
    async (request, reply) => {
      const { name, permissions, expiresInSeconds } = request.body;
      const created = await createAdminToken(core, callerOf(request), {
        name,
        ...(permissions ? { permissions: permissions as Permission[] } : {}),
        ...(expiresInSeconds ? { expiresInSeconds } : {}),
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/admin-tokens/:id',
    { schema: { response: NO_CONTENT, tags, security, summary: 'Revoke an admin token', params: IdParams }, config: { auth: 'control' } },
    async (request, reply) => {
      await revokeAdminToken(core, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
