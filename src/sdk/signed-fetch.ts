import { randomBytes } from 'node:crypto';
import { signRequest } from '../protocols/http-signature.js';

export interface IntegratorCredentials {
  /** The integrator's client id (the signature's keyid). */
  clientId: string;
  /** Its current secret (rk_sec_…). */
  secret: string;
}

/**
 * fetch() with an RFC 9421 signature for Rekey's integrator profile: `@method`, `@target-uri`,
 * and for a body `content-digest` + `content-type`; `created` and a fresh `nonce` every call.
 */
export async function signedFetch(
  credentials: IntegratorCredentials,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const signature = signRequest({
    method,
    url,
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
    keyId: credentials.clientId,
    secret: credentials.secret,
    nonce: randomBytes(16).toString('base64url'),
  });
  return fetch(url, { method, headers: { ...headers, ...signature }, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/** Seed 003's self-service rotation: returns the new secret (shown once) and when the old one stops. */
export async function regenerateIntegratorSecret(
  baseUrl: string,
  credentials: IntegratorCredentials,
  oldSecretValidForSeconds = 0,
): Promise<{ secret: string; oldSecretExpiresAt?: string }> {
  const response = await signedFetch(credentials, `${baseUrl.replace(/\/+$/, '')}/v1/integrator/regenerate-secret`, {
    method: 'POST',
    body: JSON.stringify({ oldSecretValidForSeconds }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`regenerate-secret failed: ${response.status} ${text}`);
  return JSON.parse(text) as { secret: string; oldSecretExpiresAt?: string };
}
