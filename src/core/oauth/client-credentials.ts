import { OAuthError } from './oauth-error.js';

/** How the client authenticated (RFC 6749 §2.3.1). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientCredentials {
  method: ClientAuthMethod;
  clientId: string;
  secret: string;
}

/**
 * Reads an application/x-www-form-urlencoded body. Parameters sent without a value count as
 * omitted (RFC 6749 §3.1); a parameter sent twice makes the request invalid (§3.2).
 */
export function parseOAuthForm(body: unknown): Map<string, string> {
  const params = new Map<string, string>();
  if (body === undefined || body === null || body === '') return params;
  if (typeof body !== 'string') throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.');
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) throw new OAuthError('invalid_request', `The parameter "${name.slice(0, 64)}" appears more than once.`);
    seen.add(name);
    if (value !== '') params.set(name, value);
  }
  return params;
}

/** The form-urlencoded decoding RFC 6749 §2.3.1 applies to Basic ids and secrets; null when malformed. */
export function formDecode(value: string): string | null {
  if (!value.includes('%') && !value.includes('+')) return value;
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return null;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^Basic[ ]+([^ ]*)[ ]*$/i.exec(authorization.trim());
  if (!match) throw new OAuthError('invalid_client', 'The Authorization header must use the Basic scheme (client_secret_basic).');
  const encoded = match[1]!;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1)
    throw new OAuthError('invalid_client', 'The Basic credentials are not valid base64.');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'The Basic credentials must be client_id:client_secret.');
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (clientId === null || secret === null)
    throw new OAuthError('invalid_client', 'The Basic credentials contain a malformed %-encoding (RFC 6749 §2.3.1).');
  if (clientId === '' || secret === '')
    throw new OAuthError('invalid_client', 'The Basic credentials must carry both a client id and a secret.');
  return { clientId, secret };
}

/**
 * The client's credentials from the Authorization header or the body — exactly one of them
 * (RFC 6749 §2.3: a client must not use more than one method in a request). A `client_id` in the
 * body beside Basic is allowed when it names the same client.
 */
export function clientCredentialsOf(authorization: string | undefined, params: ReadonlyMap<string, string>): ClientCredentials {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined && authorization.trim() !== '') {
    if (bodySecret !== undefined) {
      throw new OAuthError(
        'invalid_request',
        'Use one client authentication method: the Authorization header (client_secret_basic) or client_secret in the body (client_secret_post), not both.',
      );
    }
    const basic = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body does not match the client in the Authorization header.');
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (bodySecret !== undefined) {
    if (bodyId === undefined) throw new OAuthError('invalid_client', 'client_secret_post needs client_id beside client_secret.');
    return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
  }
  throw new OAuthError(
    'invalid_client',
    'Client authentication is required: HTTP Basic (client_secret_basic) or client_id and client_secret in the body (client_secret_post).',
  );
}
