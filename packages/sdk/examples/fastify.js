// A resource server on Fastify that accepts Rekey credentials (Basic, Bearer, RFC 9421 signatures,
// OAuth 1.0a). Run after `npm ci` at the repository root:
//   REKEY_URL=http://127.0.0.1:8080 REKEY_ADMIN_TOKEN=rk_adm_… PORT=3000 node packages/sdk/examples/fastify.js
//   curl -u "$ID:$SECRET" http://127.0.0.1:3000/api/hello
import Fastify from 'fastify';
import { rekeyAuth } from '@rekey/sdk/fastify';

const app = Fastify();
app.get('/healthz', async () => ({ ok: true })); // outside the protected scope

await app.register(async (api) => {
  await api.register(rekeyAuth, { url: process.env.REKEY_URL, adminToken: process.env.REKEY_ADMIN_TOKEN });
  api.get('/api/hello', async (request) => ({ hello: request.rekey.clientId, identity: request.rekey }));
  api.post('/api/echo', async (request) => ({ identity: request.rekey, body: request.body }));
});

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
