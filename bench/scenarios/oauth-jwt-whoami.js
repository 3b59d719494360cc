// A resource-server call with a JWT access token: GET /v1/whoami with `Authorization: Bearer <jwt>`.
// A client reuses its token for its lifetime, so after the first request the signature check is a
// cache hit; expiry, audience and revocation are still checked on every request.
export default {
  name: 'whoami (Bearer JWT, ES256)',
  async prepare(ctx) {
    const created = await ctx.request('POST', '/v1/clients', { profile: 'oauth', name: 'bench jwt client', allowedScopes: ['read'] });
    const authorization = `Basic ${Buffer.from(`${created.id}:${created.secret}`).toString('base64')}`;
    const response = await fetch(`${ctx.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
    const check = await fetch(`${ctx.url}/v1/whoami`, { headers: { authorization: `Bearer ${body.access_token}` } });
    if (check.status !== 200) throw new Error(`whoami answered ${check.status}`);
    return { requests: [{ method: 'GET', path: '/v1/whoami', headers: { authorization: `Bearer ${body.access_token}` } }], unique: false };
  },
};
