import type { Context, MiddlewareHandler } from 'hono';
import type { RekeyIdentity } from './api-types.js';
import { createCredentialVerifier, needsBody, type CredentialVerifier, type CredentialVerifierOptions } from './credential-verifier.js';

/**
 * Hono middleware: verifies each request's credential with Rekey and sets the identity as
 * `c.get('rekey')`; refuses with an RFC 9457 problem document (401, 400, 429 or 503) otherwise.
 * Runs wherever Hono does (Node, Deno, Bun, workers): it uses fetch and WebCrypto only. A signed
 * body is read with `c.req.arrayBuffer()`, which Hono caches, so handlers can still read it.
 */
export interface HonoRekeyOptions extends CredentialVerifierOptions {
  /** The base URL end clients use (e.g. https://api.example.com); default: the origin of `c.req.url`. */
  publicUrl?: string;
  /**
   * The end client's address. Default: the socket address on @hono/node-server; elsewhere none
   * (use the runtime's helper, e.g. `getConnInfo(c).remote.address`).
   */
  sourceAddress?: (c: Context) => string | undefined;
  /** A verifier to share between middleware instances (its cache too). */
  verifier?: CredentialVerifier;
}

export type RekeyVariables = { rekey: RekeyIdentity };

function nodeSocketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export function rekeyAuth(options: HonoRekeyOptions): MiddlewareHandler<{ Variables: RekeyVariables }> {
  const verifier = options.verifier ?? createCredentialVerifier(options);
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  return async (c, next) => {
    let url = c.req.url;
    if (publicUrl !== undefined) {
      const parsed = new URL(c.req.url);
      url = publicUrl + parsed.pathname + parsed.search;
    }
    const headers = c.req.raw.headers;
    const body = needsBody(headers) ? new Uint8Array(await c.req.arrayBuffer()) : undefined;
    const sourceAddress = (options.sourceAddress ?? nodeSocketAddress)(c);
    const verdict = await verifier.verify({
      method: c.req.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(sourceAddress !== undefined ? { sourceAddress } : {}),
    });
    if (!verdict.ok) {
      return new Response(JSON.stringify(verdict.problem), {
        status: verdict.status,
        headers: { ...verdict.headers, 'content-type': 'application/problem+json' },
      });
    }
    c.set('rekey', verdict.identity);
    await next();
  };
}
