// Token issuance: client credentials with client_secret_basic, an ES256 JWT per request.
const form = 'grant_type=client_credentials&scope=read';

export default {
  name: 'POST /oauth/token (client_secret_basic, ES256 JWT)',
  versus: 'peer: oidc-provider /token (client_secret_basic, ES256 JWT)',
  async prepare(ctx) {
    const created = await ctx.request('POST', '/v1/clients', { profile: 'oauth', name: 'bench oauth client', allowedScopes: ['read'] });
    const authorization = `Basic ${Buffer.from(`${created.id}:${created.secret}`).toString('base64')}`;
    const check = await fetch(`${ctx.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    if (check.status !== 200) throw new Error(`token endpoint answered ${check.status}: ${await check.text()}`);
    return {
      requests: [
        {
          method: 'POST',
          path: '/oauth/token',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        },
      ],
      unique: false,
    };
  },
};
