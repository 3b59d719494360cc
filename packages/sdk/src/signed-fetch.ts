import { readRekeyApiError } from './rekey-api-error.js';
import { signRequest } from './sign-request.js';

export interface IntegratorCredentials {
  /** The integrator's client id (the signature's keyid). */
  clientId: string;
  /** Its current secret (rk_sec_…). */
  secret: string;
}

export interface SignedFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  fetch?: typeof fetch;
}

/**
 * fetch() with an RFC 9421 signature for Rekey's integrator profile: `@method`, `@target-uri`,
 * and for a body `content-digest` + `content-type` (application/json unless set); `created` and a
 * fresh `nonce` every call. Sent with `credentials: 'omit'`: the signature is the only credential.
 */
export async function signedFetch(credentials: IntegratorCredentials, url: string, init: SignedFetchInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  const signature = await signRequest({
    method,
    url,
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
    keyId: credentials.clientId,
    secret: credentials.secret,
  });
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : new Uint8Array(init.body);
  // No cookies, and no login dialog: with "omit", a browser never prompts for a 401 Basic challenge.
  return (init.fetch ?? fetch)(url, {
    method,
    headers: { ...headers, ...signature },
    credentials: 'omit',
    ...(body !== undefined ? { body } : {}),
  });
}

/**
 * Seed 003's self-service rotation, signed with the current secret: returns the new secret (shown
 * once) and, when the old one stays valid for a while, when it stops. Throws RekeyApiError.
 */
export async function regenerateIntegratorSecret(
  baseUrl: string,
  credentials: IntegratorCredentials,
  oldSecretValidForSeconds = 0,
  options: { fetch?: typeof fetch } = {},
): Promise<{ secret: string; oldSecretExpiresAt?: string }> {
  const response = await signedFetch(credentials, `${baseUrl.replace(/\/+$/, '')}/v1/integrator/regenerate-secret`, {
    method: 'POST',
    body: JSON.stringify({ oldSecretValidForSeconds }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (!response.ok) throw await readRekeyApiError(response);
  return (await response.json()) as { secret: string; oldSecretExpiresAt?: string };
}
