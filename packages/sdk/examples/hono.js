// A resource server on Hono (here on Node with @hono/node-server) that accepts Rekey credentials
// (Basic, Bearer, RFC 9421 signatures, OAuth 1.0a). Run after `npm ci` at the repository root:
//   REKEY_URL=http://127.0.0.1:8080 REKEY_ADMIN_TOKEN=rk_adm_… PORT=3000 node packages/sdk/examples/hono.js
//   curl -u "$ID:$SECRET" http://127.0.0.1:3000/api/hello
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { rekeyAuth } from '@rekey/sdk/hono';

const app = new Hono();
app.use('/api/*', rekeyAuth({ url: process.env.REKEY_URL, adminToken: process.env.REKEY_ADMIN_TOKEN }));

app.get('/api/hello', (c) => c.json({ hello: c.get('rekey').clientId, identity: c.get('rekey') }));
app.post('/api/echo', async (c) => c.json({ identity: c.get('rekey'), body: await c.req.json() }));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
