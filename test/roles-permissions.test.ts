import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startRekey, type Rekey } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

async function memberWithToken(rekey: Rekey, roles: string[]): Promise<{ memberId: string; token: string }> {
  const email = `m${randomBytes(4).toString('hex')}@acme.test`;
  const member = await rekey.request('POST', '/v1/members', { body: { email, roles, password: 'member password' } });
  expect(member.status, member.text).toBe(201);
  const signIn = await send(rekey.url, 'POST', '/v1/sessions', {
    token: null,
    body: { accountId: 'acme1', email, password: 'member password' },
  });
  const cookie = signIn.headers
    .getSetCookie()
    .find((line) => line.startsWith('rekey_session='))!
    .split(';')[0]!;
  const token = await send(rekey.url, 'POST', '/v1/admin-tokens', {
    token: null,
    headers: { cookie, 'x-csrf-token': signIn.json.csrfToken },
    body: { name: 'scripts' },
  });
  expect(token.status, token.text).toBe(201);
  return { memberId: member.json.id, token: token.json.token };
}

describe.each(STORE_KINDS)('custom roles and grants (%s)', (kind) => {
  let rekey: Rekey;
  let people: { memberId: string; token: string };

  beforeAll(async () => {
    rekey = await startRekey(kind);
    expect(
      (await rekey.request('POST', '/v1/roles', { body: { name: 'People', permissions: ['members.manage', 'credentials.read'] } })).status,
    ).toBe(201);
    expect(
      (
        await rekey.request('POST', '/v1/roles', {
          body: { name: 'Portal Admin', permissions: ['credentials.read', 'credentials.manage'] },
        })
      ).status,
    ).toBe(201);
    people = await memberWithToken(rekey, ['People']);
  });
  afterAll(async () => {
    await rekey.close();
  });

  const deniedCount = async (): Promise<number> =>
    (await rekey.request('GET', '/v1/audit?type=permission.denied&limit=500')).json.items.filter(
      (event: { actor: { memberId?: string } }) => event.actor.memberId === people.memberId,
    ).length;

  it('creates, lists, changes and deletes roles', async () => {
    const created = await rekey.request('POST', '/v1/roles', { body: { name: 'Verifier', permissions: ['credentials.verify'] } });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ name: 'Verifier', permissions: ['credentials.verify'], builtIn: false });
    expect((await rekey.request('POST', '/v1/roles', { body: { name: 'Verifier', permissions: [] } })).status).toBe(409);
    expect((await rekey.request('POST', '/v1/roles', { body: { name: 'Administrator', permissions: [] } })).status).toBe(409);
    expect((await rekey.request('POST', '/v1/roles', { body: { name: 'Bad', permissions: ['everything'] } })).status).toBe(400);
    expect((await rekey.request('POST', '/v1/roles', { body: { name: '', permissions: [] } })).status).toBe(400);

    const listed = await rekey.request('GET', '/v1/roles');
    expect(listed.json.items[0]).toMatchObject({ name: 'Administrator', builtIn: true });
    expect(listed.json.items.map((role: { name: string }) => role.name)).toContain('Verifier');

    const changed = await rekey.request('PUT', '/v1/roles/Verifier', { body: { permissions: ['credentials.verify', 'audit.read'] } });
    expect(changed.status).toBe(200);
    expect(changed.json.permissions).toEqual(['credentials.verify', 'audit.read']);
    expect((await rekey.request('PUT', '/v1/roles/Administrator', { body: { permissions: [] } })).status).toBe(409);
    expect((await rekey.request('PUT', '/v1/roles/Nope', { body: { permissions: [] } })).status).toBe(404);
    expect((await rekey.request('PUT', '/v1/roles/Verifier', { token: rekey.other.token, body: { permissions: [] } })).status).toBe(404);

    expect((await rekey.request('DELETE', '/v1/roles/Verifier')).status).toBe(204);
    expect((await rekey.request('DELETE', '/v1/roles/Verifier')).status).toBe(404);
    expect((await rekey.request('DELETE', '/v1/roles/Administrator')).status).toBe(409);
    const audit = await rekey.request('GET', '/v1/audit?type=role.deleted');
    expect(audit.json.items[0].data).toMatchObject({ role: 'Verifier' });
  });

  it('a member cannot grant a permission they lack (403, audited, nothing changes)', async () => {
    const before = await deniedCount();
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/v1/roles', { name: 'Sneaky', permissions: ['credentials.manage'] }],
      ['POST', '/v1/members', { email: 'boss@acme.test', roles: ['Administrator'] }],
      ['POST', '/v1/members', { email: 'boss@acme.test', roles: ['Portal Admin'] }],
      ['PUT', `/v1/members/${people.memberId}/roles`, { roles: ['People', 'Portal Admin'] }],
      ['PUT', '/v1/roles/People', { permissions: ['members.manage', 'credentials.read', 'audit.read'] }],
      ['DELETE', '/v1/roles/Portal Admin', undefined],
      ['POST', '/v1/admin-tokens', { name: 'wider', permissions: ['credentials.manage'] }],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await rekey.request(method, path.replace(' ', '%20'), {
        token: people.token,
        ...(body !== undefined ? { body } : {}),
      });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.json.code).toBe('forbidden');
    }
    expect(await deniedCount()).toBe(before + attempts.length);
    const roles = (await rekey.request('GET', '/v1/roles')).json.items.map((role: { name: string }) => role.name);
    expect(roles).not.toContain('Sneaky');
    expect(roles).toContain('Portal Admin');
    const members = (await rekey.request('GET', '/v1/members')).json.items;
    expect(members.some((member: { email: string }) => member.email === 'boss@acme.test')).toBe(false);
    expect(members.find((member: { id: string }) => member.id === people.memberId).roles).toEqual(['People']);

    // Within what they hold, they may grant.
    expect(
      (await rekey.request('POST', '/v1/roles', { token: people.token, body: { name: 'Helpdesk', permissions: ['credentials.read'] } }))
        .status,
    ).toBe(201);
    expect(
      (await rekey.request('POST', '/v1/members', { token: people.token, body: { email: 'help@acme.test', roles: ['Helpdesk'] } })).status,
    ).toBe(201);
  });

  it('a member cannot remove or take over someone more powerful', async () => {
    expect((await rekey.request('DELETE', `/v1/members/${rekey.main.memberId}`, { token: people.token })).status).toBe(403);
    expect(
      (
        await rekey.request('PUT', `/v1/members/${rekey.main.memberId}/password`, {
          token: people.token,
          body: { password: 'taken over now' },
        })
      ).status,
    ).toBe(403);
    expect((await rekey.request('GET', '/v1/members')).json.items.some((member: { id: string }) => member.id === rekey.main.memberId)).toBe(
      true,
    );
  });

  it("admin tokens act with the live intersection of their set and the member's roles", async () => {
    const portal = await memberWithToken(rekey, ['Portal Admin']);
    expect((await rekey.request('POST', '/v1/clients', { token: portal.token, body: { profile: 'tba', name: 'via role' } })).status).toBe(
      201,
    );
    expect((await rekey.request('PUT', '/v1/roles/Portal%20Admin', { body: { permissions: ['credentials.read'] } })).status).toBe(200);
    expect((await rekey.request('POST', '/v1/clients', { token: portal.token, body: { profile: 'tba', name: 'after' } })).status).toBe(403);
    expect((await rekey.request('GET', '/v1/clients', { token: portal.token })).status).toBe(200);
    expect((await rekey.request('DELETE', `/v1/members/${portal.memberId}`)).status).toBe(204);
    const gone = await rekey.request('GET', '/v1/clients', { token: portal.token });
    expect(gone.status).toBe(401);
    expect(gone.json.code).toBe('revoked');
    const tokens = (await rekey.request('GET', '/v1/admin-tokens')).json.items.filter(
      (token: { memberId: string }) => token.memberId === portal.memberId,
    );
    expect(tokens.every((token: { revokedAt?: string }) => token.revokedAt !== undefined)).toBe(true);
  });

  it('GET /v1/members/me names the caller and their live permissions', async () => {
    const me = await rekey.request('GET', '/v1/members/me', { token: people.token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: people.memberId, accountId: 'acme1', roles: ['People'] });
    expect(me.json.permissions.sort()).toEqual(['credentials.read', 'members.manage']);
    expect(me.text).not.toContain('password');
  });
});
