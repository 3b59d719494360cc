// The baseline: a bare node:http handler doing the same work as an in-memory Basic check
// (sha256 of the presented secret + Map lookup) and the same JSON reply.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';

const known = new Map();
const port = Number(process.env.PORT ?? 0);
const secretHash = (secret) => createHash('sha256').update(secret).digest('base64url');

const server = createServer((req, res) => {
  const header = req.headers.authorization ?? '';
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = decoded.slice(0, colon);
  const hash = secretHash(decoded.slice(colon + 1));
  if (!known.has(id)) known.set(id, hash);
  const ok = known.get(id) === hash;
  const body = JSON.stringify(
    ok ? { credentialType: 'basic', accountId: 'bench', clientId: id, profile: 'apikey', versionId: 'ver_x' } : { error: 'bad' },
  );
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
