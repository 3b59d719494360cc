import type { SignedUrlVerdict } from './api-types.js';
import { readRekeyApiError } from './rekey-api-error.js';

/**
 * Verifies signed URLs for a file service. The key is derived with a server-only salt, so the SDK
 * asks Rekey (`POST /v1/signed-urls/verify`) and remembers positive answers for a short while:
 * a URL whose version is revoked during that window may still pass here for at most `cacheTtlMs`
 * (default 1 s) more than it does at Rekey.
 */
export interface SignedUrlVerifierOptions {
  /** Rekey's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An admin token with credentials.verify. */
  adminToken: string;
  /** How long a valid answer is reused (default 1000; never beyond the URL's own expiry). 0 disables the cache. */
  cacheTtlMs?: number;
  maxEntries?: number;
  fetch?: typeof fetch;
  /** The clock, in ms; injectable for tests. */
  now?: () => number;
}

export interface SignedUrlVerifier {
  verify(url: string, method?: string): Promise<SignedUrlVerdict>;
  /** Forgets every cached answer. */
  clear(): void;
}

export function createSignedUrlVerifier(options: SignedUrlVerifierOptions): SignedUrlVerifier {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => Date.now());
  const ttlMs = options.cacheTtlMs ?? 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { verdict: SignedUrlVerdict; until: number }>();

  return {
    async verify(url, method = 'GET') {
      // A signed URL is not a secret by itself (it is shared on purpose), so it keys the cache as is.
      const key = `${method.toUpperCase()}\n${url}`;
      const hit = cache.get(key);
      if (hit && hit.until > now()) return hit.verdict;
      if (hit) cache.delete(key);
      const response = await doFetch(`${base}/v1/signed-urls/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, method }),
        credentials: 'omit',
      });
      if (response.status !== 200) throw await readRekeyApiError(response);
      const verdict = (await response.json()) as SignedUrlVerdict;
      if (verdict.valid && ttlMs > 0) {
        const expiresAt = verdict.expiresAt ? Date.parse(verdict.expiresAt) : Infinity;
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(key, { verdict, until: Math.min(now() + ttlMs, expiresAt) });
      }
      return verdict;
    },
    clear() {
      cache.clear();
    },
  };
}
