/**
 * Verifies signed URLs for a file service. The key is derived with a server-only salt, so the SDK
 * asks Rekey (`POST /v1/signed-urls/verify`) and remembers positive answers for a short while:
 * a URL revoked during that window may still pass here for at most `cacheTtlMs`.
 */
export interface SignedUrlVerdict {
  valid: boolean;
  code: 'ok' | 'bad_signature' | 'expired' | 'revoked';
  accountId?: string;
  expiresAt?: string;
}

export interface SignedUrlVerifierOptions {
  /** Rekey's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An admin token with credentials.verify. */
  adminToken: string;
  /** How long a valid answer is reused (default 10 s; never beyond the URL's own expiry). 0 disables the cache. */
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

export class SignedUrlVerifyError extends Error {
  readonly status: number;
  constructor(status: number, text: string) {
    super(`Rekey answered ${status} to a signed-URL verification: ${text.slice(0, 200)}`);
    this.name = 'SignedUrlVerifyError';
    this.status = status;
  }
}

export function createSignedUrlVerifier(options: SignedUrlVerifierOptions): SignedUrlVerifier {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => Date.now());
  const ttlMs = options.cacheTtlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { verdict: SignedUrlVerdict; until: number }>();

  return {
    async verify(url, method = 'GET') {
      const key = `${method.toUpperCase()}\n${url}`;
      const hit = cache.get(key);
      if (hit && hit.until > now()) return hit.verdict;
      if (hit) cache.delete(key);
      const response = await doFetch(`${base}/v1/signed-urls/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, method }),
      });
      const text = await response.text();
      if (response.status !== 200) throw new SignedUrlVerifyError(response.status, text);
      const verdict = JSON.parse(text) as SignedUrlVerdict;
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
