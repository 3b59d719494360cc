import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { PERMISSIONS, type Permission } from '../../core/permissions.js';
import { createAdminToken, createMember, removeMember, revokeAdminToken, saveRole, setMemberRoles, viewAdminToken, viewMember } from '../../core/manage-members.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';

const PermissionList = Type.Array(Type.Union(PERMISSIONS.map((permission) => Type.Literal(permission))), { maxItems: PERMISSIONS.length, uniqueItems: true });
const RoleName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1F]+$' });
const IdParams = Type.Object({ id: Type.String() });

const MemberBody = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 320 }),
  roles: Type.Array(RoleName, { maxItems: 50, uniqueItems: true }),
}, { additionalProperties: false });
const MemberRolesBody = Type.Object({ roles: Type.Array(RoleName, { maxItems: 50, uniqueItems: true }) }, { additionalProperties: false });
const RoleBody = Type.Object({ name: RoleName, permissions: PermissionList }, { additionalProperties: false });
const TokenBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  permissions: Type.Optional(PermissionList),
  expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 5 * 365 * 86_400 })),
}, { additionalProperties: false });

/** Members, roles and admin tokens: the account's people and their permissions. */
export function registerAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;
  const tags = ['members'];
  const security = [{ adminToken: [] }];

  app.get('/v1/members', { schema: { tags, security }, config: { auth: 'control', permission: 'members.manage' } }, async (request) => ({
    items: (await core.store.listMembers(callerOf(request).accountId)).filter((member) => member.removedAt === null).map(viewMember),
  }));
  app.post<{ Body: Static<typeof MemberBody> }>('/v1/members', { schema: { tags, security, body: MemberBody }, config: { auth: 'control', permission: 'members.manage' } }, async (request, reply) =>
    reply.code(201).send(await createMember(core, callerOf(request), { email: request.body.email, roles: request.body.roles, passwordHash: null })));
  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof MemberRolesBody> }>('/v1/members/:id/roles', { schema: { tags, security, params: IdParams, body: MemberRolesBody }, config: { auth: 'control', permission: 'members.manage' } }, async (request) =>
    setMemberRoles(core, callerOf(request), request.params.id, request.body.roles));
  app.delete<{ Params: Static<typeof IdParams> }>('/v1/members/:id', { schema: { tags, security, params: IdParams }, config: { auth: 'control', permission: 'members.manage' } }, async (request, reply) => {
    await removeMember(core, callerOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.get('/v1/roles', { schema: { tags, security }, config: { auth: 'control', permission: 'members.manage' } }, async (request) => ({
    items: [{ name: 'Administrator', permissions: [...PERMISSIONS], builtIn: true }, ...(await core.store.listRoles(callerOf(request).accountId)).map((role) => ({ name: role.name, permissions: role.permissions, builtIn: false }))],
  }));
  app.post<{ Body: Static<typeof RoleBody> }>('/v1/roles', { schema: { tags, security, body: RoleBody }, config: { auth: 'control', permission: 'members.manage' } }, async (request, reply) => {
    const role = await saveRole(core, callerOf(request), { name: request.body.name, permissions: request.body.permissions as Permission[] });
    return reply.code(201).send({ name: role.name, permissions: role.permissions, builtIn: false });
  });

  app.get('/v1/admin-tokens', { schema: { tags, security }, config: { auth: 'control' } }, async (request) => {
    const caller = callerOf(request);
    const all = await core.store.listAdminTokens(caller.accountId);
    const visible = caller.permissions.has('members.manage') ? all : all.filter((token) => token.memberId === caller.memberId);
    return { items: visible.map(viewAdminToken) };
  });
  app.post<{ Body: Static<typeof TokenBody> }>('/v1/admin-tokens', { schema: { tags, security, body: TokenBody }, config: { auth: 'control' } }, async (request, reply) => {
    const { name, permissions, expiresInSeconds } = request.body;
    const created = await createAdminToken(core, callerOf(request), { name, ...(permissions ? { permissions: permissions as Permission[] } : {}), ...(expiresInSeconds ? { expiresInSeconds } : {}) });
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });
  app.delete<{ Params: Static<typeof IdParams> }>('/v1/admin-tokens/:id', { schema: { tags, security, params: IdParams }, config: { auth: 'control' } }, async (request, reply) => {
    await revokeAdminToken(core, callerOf(request), request.params.id);
    return reply.code(204).send();
  });
}
