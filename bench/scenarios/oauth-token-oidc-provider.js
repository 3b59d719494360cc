// The peer: oidc-provider issuing the same kind of token — client credentials, client_secret_basic,
// ES256 JWT access tokens (RFC 9068) with a 600 s lifetime and one scope. startServer runs this file
// as its own process, pinned to the server core like Rekey, so both get one core each.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = 'rk_sec_benchpeerbenchpeerbenchpeerbenchpeerbenc000000';
const form = 'grant_type=client_credentials&scope=read';

async function runProvider(port) {
  const { default: Provider } = await import('oidc-provider');
  const { generateKeyPair, exportJWK } = await import('jose');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench' }] },
    scopes: ['read'],
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => issuer,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'read',
          audience: issuer,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  provider.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runProvider(Number(process.argv[2]));
}

export default {
  name: 'peer: oidc-provider /token (client_secret_basic, ES256 JWT)',
  async startServer() {
    const port = await freePort();
    const pin = spawnSync('which', ['taskset']).status === 0 && spawnSync('nproc').stdout?.toString().trim() !== '1';
    const args = [fileURLToPath(import.meta.url), String(port)];
    const child = pin
      ? spawn('taskset', ['-c', '0', 'node', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
      : spawn('node', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('oidc-provider did not start')), 20_000);
      child.stdout.on('data', (chunk) => {
        if (String(chunk).includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`oidc-provider exited with ${code}`)));
    });
    return {
      url: `http://127.0.0.1:${port}`,
      // taskset execs node, so this is the server's own pid (for its CPU per request).
      pid: child.pid,
      stop: async () => {
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      },
    };
  },
  async prepare(ctx) {
    const authorization = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    const check = await fetch(`${ctx.url}/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const body = await check.json();
    if (check.status !== 200 || body.access_token.split('.').length !== 3)
      throw new Error(`oidc-provider answered ${check.status}: ${JSON.stringify(body)}`);
    return {
      requests: [
        { method: 'POST', path: '/token', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: form },
      ],
      unique: false,
    };
  },
};
