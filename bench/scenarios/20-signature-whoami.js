import { randomBytes } from 'node:crypto';
import { signRequest } from '../../dist/protocols/http-signature.js';

export default {
  name: 'whoami (RFC 9421, integrator; nonce write)',
  async prepare(ctx) {
    const created = await ctx.request('POST', '/v1/clients', { profile: 'integrator', name: 'bench integrator' });
    const requests = [];
    const created0 = Math.floor(Date.now() / 1000);
    for (let i = 0; i < ctx.count; i++) {
      const headers = signRequest({
        method: 'GET',
        url: `${ctx.url}/v1/whoami`,
        headers: {},
        keyId: created.id,
        secret: created.secret,
        nonce: randomBytes(12).toString('base64url'),
        created: created0,
      });
      requests.push({ method: 'GET', path: '/v1/whoami', headers });
    }
    return { requests, unique: true };
  },
};
