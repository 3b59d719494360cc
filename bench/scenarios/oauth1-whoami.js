import { randomBytes } from 'node:crypto';
import { buildOAuthHeader } from '../../dist/protocols/oauth1.js';

// OAuth 1.0a token-based authentication (SPEC §4.2): every request carries a fresh nonce, so the
// hot path includes its one write, the nonce insert.
export default {
  name: 'whoami (OAuth 1.0a, tba token; nonce write)',
  async prepare(ctx) {
    const client = await ctx.request('POST', '/v1/clients', { profile: 'tba', name: 'bench integration' });
    const { items } = await ctx.request('GET', '/v1/members');
    const token = await ctx.request('POST', `/v1/clients/${client.id}/tokens`, { memberId: items[0].id, role: 'Administrator' });
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const requests = [];
    for (let i = 0; i < ctx.count; i++) {
      const authorization = buildOAuthHeader({
        consumerKey: client.consumerKey,
        consumerSecret: client.consumerSecret,
        token: token.tokenId,
        tokenSecret: token.tokenSecret,
        method: 'GET',
        url: `${ctx.url}/v1/whoami`,
        realm: ctx.accountId,
        nonce: randomBytes(12).toString('base64url'),
        timestampSeconds,
      });
      requests.push({ method: 'GET', path: '/v1/whoami', headers: { authorization } });
    }
    return { requests, unique: true };
  },
};
