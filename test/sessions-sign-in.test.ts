import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type PasswordVerifier } from '../src/core/accounts/sessions.js';
import { SIGN_IN_WINDOW_MS } from '../src/core/accounts/sign-in-throttle.js';
import { argon2Passwords } from '../src/http/routes/sessions.js';
import { send, startRekey, type Rekey, type TestResponse } from './support/harness.js';
import { STORE_KINDS } from './support/stores.js';

interface Session {
  cookie: string;
  csrf: string;
  id: string;
  setCookies: string[];
}

async function signInAs(rekey: Rekey, body: Record<string, unknown>): Promise<TestResponse & { session?: Session }> {
  const response = await send(rekey.url, 'POST', '/v1/sessions', { token: null, body });
  if (response.status !== 201) return response;
  const setCookies = response.headers.getSetCookie();
  const value = setCookies.find((line) => line.startsWith('rekey_session='))!.split(';')[0]!;
  return { ...response, session: { cookie: value, csrf: response.json.csrfToken, id: response.json.sessionId, setCookies } };
}

function asSession(
  rekey: Rekey,
  session: Session,
  method: string,
  path: string,
  options: { body?: unknown; csrf?: string | null } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { cookie: `${session.cookie}; rekey_csrf=${session.csrf}` };
  const csrf = options.csrf === undefined ? session.csrf : options.csrf;
  if (csrf !== null) headers['x-csrf-token'] = csrf;
  return send(rekey.url, method, path, { token: null, headers, ...(options.body !== undefined ? { body: options.body } : {}) });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.each(STORE_KINDS)('console sign-in and sessions (%s)', (kind) => {
  let rekey: Rekey;
  let readerId: string;

  beforeAll(async () => {
    rekey = await startRekey(kind);
    expect((await rekey.request('PUT', '/v1/members/me/password', { body: { password: 'correct horse battery' } })).status).toBe(204);
    expect((await rekey.request('POST', '/v1/roles', { body: { name: 'Reader', permissions: ['credentials.read'] } })).status).toBe(201);
    const reader = await rekey.request('POST', '/v1/members', {
      body: { email: 'Reader@Acme.test', roles: ['Reader'], password: 'reader password 1' },
    });
    expect(reader.status).toBe(201);
    readerId = reader.json.id;
  });
  afterAll(async () => {
    await rekey.close();
  });

  /** Every test starts with fresh throttle windows. */
  const nextWindow = (): void => rekey.clock.advance(SIGN_IN_WINDOW_MS + 1000);

  it('signs in: an HttpOnly SameSite=Lax cookie, a CSRF token, and a session that works on the control API', async () => {
    nextWindow();
    const response = await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' });
    expect(response.status, response.text).toBe(201);
    expect(response.json).toEqual({
      sessionId: expect.stringMatching(/^ses_/),
      accountId: 'acme1',
      memberId: rekey.main.memberId,
      expiresAt: expect.any(String),
      csrfToken: expect.stringMatching(/^[0-9A-Za-z]{43}$/),
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const session = response.session!;
    const sessionCookie = session.setCookies.find((line) => line.startsWith('rekey_session='))!;
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(sessionCookie).toMatch(/; Path=\//);
    expect(sessionCookie).not.toMatch(/Secure/);
    const csrfCookie = session.setCookies.find((line) => line.startsWith('rekey_csrf='))!;
    expect(csrfCookie).not.toMatch(/HttpOnly/);

    expect((await asSession(rekey, session, 'GET', '/v1/clients', { csrf: null })).status).toBe(200);
    const me = await asSession(rekey, session, 'GET', '/v1/members/me', { csrf: null });
    expect(me.json).toMatchObject({
      id: rekey.main.memberId,
      accountId: 'acme1',
      permissions: expect.arrayContaining(['credentials.manage']),
    });
    const created = await asSession(rekey, session, 'POST', '/v1/clients', { body: { profile: 'tba', name: 'From the console' } });
    expect(created.status, created.text).toBe(201);
    const audit = await rekey.request('GET', `/v1/audit?clientId=${created.json.id}`);
    expect(audit.json.items[0].actor).toEqual({ type: 'session', id: session.id, memberId: rekey.main.memberId });
  });

  it("refuses unsafe methods without the session's CSRF token (403, audited, nothing changes)", async () => {
    nextWindow();
    const { session } = await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' });
    const before = (await rekey.request('GET', '/v1/clients')).json.items.length;
    const missing = await asSession(rekey, session!, 'POST', '/v1/clients', { body: { profile: 'oauth', name: 'csrf' }, csrf: null });
    expect(missing.status).toBe(403);
    expect(missing.json).toMatchObject({ code: 'forbidden', reason: 'csrf' });
    const wrong = await asSession(rekey, session!, 'POST', '/v1/clients', {
      body: { profile: 'oauth', name: 'csrf' },
      csrf: 'x'.repeat(43),
    });
    expect(wrong.status).toBe(403);
    expect((await rekey.request('GET', '/v1/clients')).json.items.length).toBe(before);
    const denied = await rekey.request('GET', '/v1/audit?type=permission.denied');
    expect(denied.json.items.some((event: { data: { reason?: string } }) => event.data.reason === 'csrf')).toBe(true);
  });

  it('answers a wrong password, an unknown email, an unknown account and a member without a password alike', async () => {
    nextWindow();
    const bodies = [
      { accountId: 'acme1', email: 'admin@acme.test', password: 'wrong password' },
      { accountId: 'acme1', email: 'nobody@acme.test', password: 'wrong password' },
      { accountId: 'nosuch9', email: 'admin@acme.test', password: 'correct horse battery' },
      { accountId: 'other2', email: 'admin@other.test', password: 'anything at all' },
    ];
    const answers = await Promise.all(bodies.map((body) => signInAs(rekey, body)));
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('set-cookie')).toBeNull();
      const { requestId: _id, ...rest } = answer.json;
      const { requestId: _first, ...first } = answers[0]!.json;
      expect(rest).toEqual(first);
    }
    expect(answers[0]!.json.code).toBe('unauthenticated');
  });

  it('rejects bad input with 400 and other media types with 415', async () => {
    expect(
      (await send(rekey.url, 'POST', '/v1/sessions', { token: null, body: { accountId: 'acme1', email: 'admin@acme.test' } })).status,
    ).toBe(400);
    expect(
      (
        await send(rekey.url, 'POST', '/v1/sessions', {
          token: null,
          body: { accountId: 'acme1', email: 'a@b.c', password: 'x', remember: true },
        })
      ).status,
    ).toBe(400);
    expect(
      (await send(rekey.url, 'POST', '/v1/sessions', { token: null, body: { accountId: 1, email: 'a@b.c', password: 'x' } })).status,
    ).toBe(400);
    const form = await send(rekey.url, 'POST', '/v1/sessions', {
      token: null,
      rawBody: 'accountId=acme1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it("spends one password verification with the members' hash parameters on an unknown email, as on a wrong password", async () => {
    nextWindow();
    const seen: string[] = [];
    const observing: PasswordVerifier = {
      verify: async (stored, password) => {
        seen.push(stored.split('$').slice(0, 4).join('$'));
        return argon2Passwords.verify(stored, password);
      },
      dummyHash: () => argon2Passwords.dummyHash(),
    };
    const attempt = (email: string, password: string) =>
      signIn(rekey.runtime.core, { accountId: 'acme1', email, password, address: '192.0.2.7' }, observing).then(
        () => 'ok',
        (error) => error.code,
      );
    expect(await attempt('admin@acme.test', 'wrong password')).toBe('unauthenticated');
    expect(await attempt('nobody@acme.test', 'wrong password')).toBe('unauthenticated');
    expect(await attempt('admin@acme.test', 'correct horse battery')).toBe('ok');
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(new Set(seen).size).toBe(1);
  });

  it('takes as long for an unknown email as for a wrong password', async () => {
    nextWindow();
    // Five members, four wrong attempts each, stay under the per-email limit.
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await rekey.request('POST', '/v1/members', {
            body: { email: `timing${i}@acme.test`, roles: [], password: `timing password ${i}` },
          })
        ).status,
      ).toBe(201);
    }
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 20; i++) {
      let started = performance.now();
      expect((await signInAs(rekey, { accountId: 'acme1', email: `ghost${i}@acme.test`, password: 'guess' })).status).toBe(401);
      unknown.push(performance.now() - started);
      started = performance.now();
      expect((await signInAs(rekey, { accountId: 'acme1', email: `timing${i % 5}@acme.test`, password: 'guess' })).status).toBe(401);
      wrong.push(performance.now() - started);
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio, `unknown ${median(unknown).toFixed(2)} ms vs wrong ${median(wrong).toFixed(2)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('audits failed password checks as signin.failed, aggregated per member (or unknown email) and minute; made-up accounts, throttled attempts and successes add nothing', async () => {
    nextWindow();
    // Start at the top of a minute, so every attempt below falls into the same aggregate.
    rekey.clock.advance(60_000 - (rekey.clock.now() % 60_000));
    const since = new Date(rekey.clock.now()).toISOString();
    const failed = async (): Promise<Array<Record<string, unknown>>> => {
      const response = await rekey.request('GET', `/v1/audit?type=signin.failed&since=${encodeURIComponent(since)}`);
      expect(response.status).toBe(200);
      return response.json.items;
    };
    for (let i = 0; i < 3; i++)
      expect((await signInAs(rekey, { accountId: 'acme1', email: 'Reader@acme.test', password: `wrong ${i}` })).status).toBe(401);
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'ghost@acme.test', password: 'guess' })).status).toBe(401);
    expect((await signInAs(rekey, { accountId: 'nosuch9', email: 'admin@acme.test', password: 'guess' })).status).toBe(401);
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' })).status).toBe(201);

    const items = await failed();
    expect(items).toHaveLength(2);
    const byMember = items.find((item) => (item.data as { memberId?: string }).memberId === readerId)!;
    expect(byMember).toMatchObject({
      type: 'signin.failed',
      count: 3,
      code: 'unauthenticated',
      actor: { type: 'system', id: 'sign-in' },
      data: { purpose: 'sign-in', memberId: readerId },
    });
    const unknown = items.find((item) => (item.data as { memberId?: string }).memberId === undefined)!;
    expect(unknown).toMatchObject({ count: 1, data: { purpose: 'sign-in' } });
    // Nothing the caller typed is kept: no email, no password.
    for (const text of ['ghost@acme.test', 'guess', 'wrong 0', 'reader@acme.test']) expect(JSON.stringify(items)).not.toContain(text);

    // Throttled attempts are refused before any check and are not counted.
    for (let i = 0; i < 5; i++) await signInAs(rekey, { accountId: 'acme1', email: 'ghost@acme.test', password: 'again' });
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'ghost@acme.test', password: 'again' })).status).toBe(429);
    expect((await failed()).find((item) => (item.data as { memberId?: string }).memberId === undefined)).toMatchObject({ count: 5 });
    // The other account sees none of it.
    const other = await send(rekey.url, 'GET', `/v1/audit?type=signin.failed&since=${encodeURIComponent(since)}`, {
      token: rekey.other.token,
    });
    expect(other.status).toBe(200);
    expect(other.json.items).toEqual([]);
  });

  it('throttles per email: after five failures, 429 with retryAfter, even with the right password, until the window passes', async () => {
    nextWindow();
    for (let i = 0; i < 5; i++)
      expect((await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: `nope ${i}` })).status).toBe(401);
    const limited = await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' });
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
    expect(limited.json.retryAfter).toBeGreaterThan(0);
    expect(limited.json.retryAfter).toBeLessThanOrEqual(SIGN_IN_WINDOW_MS / 1000);
    expect(limited.headers.get('retry-after')).toBe(String(limited.json.retryAfter));
    // Unknown emails are throttled the same way, and other emails are unaffected.
    for (let i = 0; i < 5; i++) await signInAs(rekey, { accountId: 'acme1', email: 'ghost@acme.test', password: 'x' });
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'ghost@acme.test', password: 'x' })).status).toBe(429);
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' })).status).toBe(201);

    rekey.clock.advance(SIGN_IN_WINDOW_MS);
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' })).status).toBe(201);
  });

  it('throttles per address across emails', async () => {
    nextWindow();
    let status = 0;
    let attempts = 0;
    while (attempts < 60) {
      status = (await signInAs(rekey, { accountId: 'acme1', email: `spray${attempts}@acme.test`, password: 'x' })).status;
      attempts++;
      if (status === 429) break;
    }
    expect(status).toBe(429);
    expect(attempts).toBe(51);
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' })).status).toBe(429);
    nextWindow();
  });

  it("lists the member's own sessions and ends one (401 session_revoked, reason signed_out)", async () => {
    nextWindow();
    const first = (await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' })).session!;
    const second = (await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' })).session!;
    const listed = await asSession(rekey, first, 'GET', '/v1/sessions', { csrf: null });
    expect(listed.status).toBe(200);
    const ids = listed.json.items.map((item: { id: string }) => item.id);
    expect(ids).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(listed.json.items.find((item: { id: string }) => item.id === first.id)).toMatchObject({
      current: true,
      memberId: readerId,
      address: expect.any(String),
    });
    expect(JSON.stringify(listed.json)).not.toContain(first.cookie.split('=')[1]);
    // Not someone else's sessions: the admin's token sees none of the reader's.
    const adminView = await rekey.request('GET', '/v1/sessions');
    expect(adminView.json.items.map((item: { id: string }) => item.id)).not.toContain(first.id);
    expect((await rekey.request('DELETE', `/v1/sessions/${first.id}`)).status).toBe(404);

    const ended = await asSession(rekey, first, 'DELETE', `/v1/sessions/${second.id}`);
    expect(ended.status).toBe(204);
    const refused = await asSession(rekey, second, 'GET', '/v1/clients', { csrf: null });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 'session_revoked', reason: 'signed_out' });
    expect(refused.headers.get('www-authenticate')).toBeTruthy();

    const signOut = await asSession(rekey, first, 'DELETE', '/v1/sessions/current');
    expect(signOut.status).toBe(204);
    expect(signOut.headers.getSetCookie().some((line) => line.startsWith('rekey_session=;') && line.includes('Max-Age=0'))).toBe(true);
    expect((await asSession(rekey, first, 'GET', '/v1/clients', { csrf: null })).status).toBe(401);
  });

  it('POST /v1/sessions/revoke-all ends every session of the account: 401 session_revoked, reason signed_out_by_admin', async () => {
    nextWindow();
    const reader = (await signInAs(rekey, { accountId: 'acme1', email: 'reader@acme.test', password: 'reader password 1' })).session!;
    const admin = (await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' })).session!;
    // The reader is no administrator.
    const denied = await asSession(rekey, reader, 'POST', '/v1/sessions/revoke-all', { body: {} });
    expect(denied.status).toBe(403);
    // Bad input and no credentials.
    expect((await rekey.request('POST', '/v1/sessions/revoke-all', { body: { all: true } })).status).toBe(400);
    expect((await rekey.request('POST', '/v1/sessions/revoke-all', { token: null, body: {} })).status).toBe(401);

    const revoked = await asSession(rekey, admin, 'POST', '/v1/sessions/revoke-all', { body: {} });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked).toBeGreaterThanOrEqual(2);
    for (const session of [reader, admin]) {
      const answer = await asSession(rekey, session, 'GET', '/v1/clients', { csrf: null });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code: 'session_revoked', reason: 'signed_out_by_admin' });
    }
    // Another account's sessions are untouched, and admin tokens keep working.
    expect((await rekey.request('GET', '/v1/clients')).status).toBe(200);
    const audit = await rekey.request('GET', '/v1/audit?type=session.revoked');
    expect(audit.json.items[0].data).toMatchObject({ scope: 'account', reason: 'signed_out_by_admin' });
  });

  it("acts with the member's live permissions; a removed member's session ends", async () => {
    nextWindow();
    const member = await rekey.request('POST', '/v1/members', {
      body: { email: 'temp@acme.test', roles: ['Reader'], password: 'temporary pass' },
    });
    const session = (await signInAs(rekey, { accountId: 'acme1', email: 'temp@acme.test', password: 'temporary pass' })).session!;
    expect((await asSession(rekey, session, 'GET', '/v1/clients', { csrf: null })).status).toBe(200);
    expect((await asSession(rekey, session, 'POST', '/v1/clients', { body: { profile: 'oauth', name: 'x' } })).status).toBe(403);
    expect((await rekey.request('PUT', `/v1/members/${member.json.id}/roles`, { body: { roles: [] } })).status).toBe(200);
    expect((await asSession(rekey, session, 'GET', '/v1/clients', { csrf: null })).status).toBe(403);
    expect((await rekey.request('DELETE', `/v1/members/${member.json.id}`)).status).toBe(204);
    const gone = await asSession(rekey, session, 'GET', '/v1/members/me', { csrf: null });
    expect(gone.status).toBe(401);
    expect(gone.json).toMatchObject({ code: 'session_revoked', reason: 'member_removed' });
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'temp@acme.test', password: 'temporary pass' })).status).toBe(401);
  });

  it("changing the password ends the member's other sessions but not the current one", async () => {
    nextWindow();
    await rekey.request('POST', '/v1/members', { body: { email: 'changer@acme.test', roles: [], password: 'first password' } });
    const a = (await signInAs(rekey, { accountId: 'acme1', email: 'changer@acme.test', password: 'first password' })).session!;
    const b = (await signInAs(rekey, { accountId: 'acme1', email: 'changer@acme.test', password: 'first password' })).session!;
    expect((await asSession(rekey, a, 'PUT', '/v1/members/me/password', { body: { password: 'short' } })).status).toBe(400);
    expect((await asSession(rekey, a, 'PUT', '/v1/members/me/password', { body: { password: 'second password' } })).status).toBe(204);
    expect((await asSession(rekey, a, 'GET', '/v1/sessions', { csrf: null })).status).toBe(200);
    const other = await asSession(rekey, b, 'GET', '/v1/sessions', { csrf: null });
    expect(other.json).toMatchObject({ code: 'session_revoked', reason: 'password_changed' });
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'changer@acme.test', password: 'first password' })).status).toBe(401);
    expect((await signInAs(rekey, { accountId: 'acme1', email: 'changer@acme.test', password: 'second password' })).status).toBe(201);
    // Nobody else's password without members.manage; unknown and foreign ids are 404.
    expect(
      (await asSession(rekey, a, 'PUT', `/v1/members/${rekey.main.memberId}/password`, { body: { password: 'taken over!' } })).status,
    ).toBe(403);
    expect((await rekey.request('PUT', `/v1/members/${rekey.other.memberId}/password`, { body: { password: 'taken over!' } })).status).toBe(
      404,
    );
  });

  it('ends an idle session after two hours and any session after twelve', async () => {
    nextWindow();
    const idle = (await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' })).session!;
    rekey.clock.advance(2 * 3600 * 1000 + 1000);
    const expired = await asSession(rekey, idle, 'GET', '/v1/clients', { csrf: null });
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe('expired');

    const busy = (await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' })).session!;
    for (let hour = 0; hour < 12; hour++) {
      expect((await asSession(rekey, busy, 'GET', '/v1/clients', { csrf: null })).status).toBe(200);
      rekey.clock.advance(3600 * 1000);
    }
    expect((await asSession(rekey, busy, 'GET', '/v1/clients', { csrf: null })).json.code).toBe('expired');
  });

  it('an unknown session cookie is refused', async () => {
    const answer = await send(rekey.url, 'GET', '/v1/clients', { token: null, headers: { cookie: `rekey_session=${'A'.repeat(43)}` } });
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('unauthenticated');
    expect((await send(rekey.url, 'GET', '/v1/clients', { token: null, headers: { cookie: 'rekey_session=../../etc' } })).status).toBe(401);
  });
});

describe.each(STORE_KINDS)('session cookies behind https (%s)', (kind) => {
  let rekey: Rekey;
  beforeAll(async () => {
    rekey = await startRekey(kind, { env: { REKEY_PUBLIC_URL: 'https://rekey.example.com' } });
    await rekey.request('PUT', '/v1/members/me/password', { body: { password: 'correct horse battery' } });
  });
  afterAll(async () => {
    await rekey.close();
  });

  it('marks the cookies Secure when REKEY_PUBLIC_URL is https', async () => {
    const response = await signInAs(rekey, { accountId: 'acme1', email: 'admin@acme.test', password: 'correct horse battery' });
    expect(response.status).toBe(201);
    for (const line of response.session!.setCookies) expect(line).toMatch(/; Secure/);
  });
});
