// The worst case for JWT whoami: more distinct tokens than the verified-token cache holds (10 000),
// cycled, so every request verifies an ES256 signature.
const TOKENS = 20_000;

export default {
  name: 'whoami (Bearer JWT, 20k distinct tokens: a signature check each)',
  async prepare(ctx) {
    const created = await ctx.request('POST', '/v1/clients', { profile: 'oauth', name: 'bench jwt client (uncached)' });
    const authorization = `Basic ${Buffer.from(`${created.id}:${created.secret}`).toString('base64')}`;
    const tokens = [];
    while (tokens.length < TOKENS) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const response = await fetch(`${ctx.url}/oauth/token`, {
            method: 'POST',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
          });
          if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}`);
          return (await response.json()).access_token;
        }),
      );
      tokens.push(...batch);
    }
    return {
      requests: tokens.map((token) => ({ method: 'GET', path: '/v1/whoami', headers: { authorization: `Bearer ${token}` } })),
      unique: false,
    };
  },
};
