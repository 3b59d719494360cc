export default {
  name: 'whoami (Basic, apikey)',
  async prepare(ctx) {
    const created = await ctx.request('POST', '/v1/clients', { profile: 'apikey', name: 'bench key' });
    const basic = Buffer.from(`${created.id}:${created.secret}`).toString('base64');
    return { requests: [{ method: 'GET', path: '/v1/whoami', headers: { authorization: `Basic ${basic}` } }], unique: false };
  },
};
