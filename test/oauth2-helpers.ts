import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { send, type Rekey, type TestResponse } from './support/harness.js';

export interface OAuthClient {
  id: string;
  secret: string;
  versionId: string;
}

export async function createOAuthClient(rekey: Rekey, fields: Record<string, unknown> = {}, token?: string): Promise<OAuthClient> {
  const created = await rekey.request('POST', '/v1/clients', {
    body: { profile: 'oauth', name: 'Partner platform', ...fields },
    ...(token ? { token } : {}),
  });
  if (created.status !== 201) throw new Error(`create client: ${created.status} ${created.text}`);
  return { id: created.json.id, secret: created.json.secret, versionId: created.json.versionId };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** POSTs a form to an /oauth/* endpoint; `auth` adds client_secret_basic, `post` client_secret_post. */
export async function oauthPost(
  rekey: Rekey,
  path: string,
  params: Record<string, string>,
  options: { auth?: OAuthClient; post?: OAuthClient; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...(options.headers ?? {}) };
  if (options.auth) headers.authorization = basic(options.auth.id, options.auth.secret);
  const body = { ...params, ...(options.post ? { client_id: options.post.id, client_secret: options.post.secret } : {}) };
  return send(rekey.url, 'POST', path, { token: null, headers, rawBody: options.rawBody ?? form(body) });
}

export async function issueToken(rekey: Rekey, client: OAuthClient, params: Record<string, string> = {}): Promise<string> {
  const response = await oauthPost(rekey, '/oauth/token', { grant_type: 'client_credentials', ...params }, { auth: client });
  if (response.status !== 200) throw new Error(`token: ${response.status} ${response.text}`);
  return response.json.access_token as string;
}

export async function introspect(rekey: Rekey, client: OAuthClient, token: string): Promise<TestResponse> {
  return oauthPost(rekey, '/oauth/introspect', { token }, { auth: client });
}

export async function whoamiWith(rekey: Rekey, token: string, method: 'GET' | 'POST' = 'GET'): Promise<TestResponse> {
  return send(rekey.url, method, '/v1/whoami', { token: null, headers: { authorization: `Bearer ${token}` } });
}

/** Verifies a token the way an offline resource server does: against the published JWKS. */
export async function verifyOffline(rekey: Rekey, token: string, options: { audience?: string } = {}): Promise<JWTPayload> {
  const jwks = await send(rekey.url, 'GET', '/.well-known/jwks.json', { token: null });
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.json), {
    issuer: rekey.config.publicUrl,
    audience: options.audience ?? rekey.config.publicUrl,
    typ: 'at+jwt',
    currentDate: new Date(rekey.clock.now()),
  });
  return payload;
}

export function expectOAuthError(response: TestResponse, status: number, error: string): void {
  if (response.status !== status || response.json?.error !== error || typeof response.json?.error_description !== 'string') {
    throw new Error(`expected ${status} ${error}, got ${response.status} ${response.text}`);
  }
  if (Object.keys(response.json).some((key) => !['error', 'error_description'].includes(key)))
    throw new Error(`unexpected members in ${response.text}`);
  if (response.headers.get('cache-control') !== 'no-store') throw new Error('error answers must not be cached');
  if (status === 401 && !/^Basic /.test(response.headers.get('www-authenticate') ?? '')) throw new Error('401 without a Basic challenge');
}

export { decodeJwt, decodeProtectedHeader };
