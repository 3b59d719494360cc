// A resource server on Express that accepts Rekey credentials (Basic, Bearer, RFC 9421 signatures,
// OAuth 1.0a). Run after `npm ci` at the repository root:
//   REKEY_URL=http://127.0.0.1:8080 REKEY_ADMIN_TOKEN=rk_adm_… PORT=3000 node packages/sdk/examples/express.js
//   curl -u "$ID:$SECRET" http://127.0.0.1:3000/api/hello
import express from 'express';
import { rekeyAuth } from '@rekey/sdk/express';

const app = express();
// Keep the raw bytes for signed bodies (RFC 9421 content-digest) while parsing JSON as usual.
app.use(
  express.json({
    verify: (req, _res, buf) => {
      req.rawBody = buf;
    },
  }),
);
app.use('/api', rekeyAuth({ url: process.env.REKEY_URL, adminToken: process.env.REKEY_ADMIN_TOKEN }));

app.get('/api/hello', (req, res) => {
  res.json({ hello: req.rekey.clientId, identity: req.rekey });
});
app.post('/api/echo', (req, res) => {
  res.json({ identity: req.rekey, body: req.body });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
