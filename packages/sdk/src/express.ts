import type { RekeyIdentity } from './api-types.js';
import { createCredentialVerifier, needsBody, type CredentialVerifier, type CredentialVerifierOptions } from './credential-verifier.js';

/**
 * Express middleware (4 and 5): verifies each request's credential with Rekey and puts the identity
 * on `req.rekey`; refuses with an RFC 9457 problem document (401, 400, 429 or 503) otherwise.
 *
 * Signed requests with a body need the raw bytes: mount it after `express.raw({ type: '*\/*' })`,
 * or keep them as `req.rawBody` (`express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })`).
 * Otherwise the middleware reads the body itself into `req.rawBody`, and body parsers mounted after
 * it find the stream consumed.
 */
export interface ExpressRekeyOptions extends CredentialVerifierOptions {
  /** The base URL end clients use (e.g. https://api.example.com); default: the request's protocol and Host. */
  publicUrl?: string;
  /** The end client's address; default `req.ip` (which honours Express's `trust proxy`). */
  sourceAddress?: (req: ExpressRequest) => string | undefined;
  /** A verifier to share between middleware instances (its cache too). */
  verifier?: CredentialVerifier;
}

/** The parts of an Express request the middleware reads (so @types/express is not needed). */
export interface ExpressRequest extends AsyncIterable<unknown> {
  method: string;
  originalUrl: string;
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
  ip?: string | undefined;
  body?: unknown;
  rawBody?: unknown;
  readableEnded?: boolean;
  rekey?: RekeyIdentity;
  get(name: string): string | undefined;
}

export interface ExpressResponse {
  status(code: number): ExpressResponse;
  set(fields: Record<string, string>): ExpressResponse;
  send(body: string): unknown;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified identity, set by @rekey/sdk/express. */
      rekey?: RekeyIdentity;
    }
  }
}

async function rawBodyOf(req: ExpressRequest): Promise<Uint8Array | undefined> {
  if (req.rawBody instanceof Uint8Array) return req.rawBody;
  if (req.body instanceof Uint8Array) return req.body;
  if (req.readableEnded !== false) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array));
  const body = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  req.rawBody = body;
  return body;
}

export function rekeyAuth(
  options: ExpressRekeyOptions,
): (req: ExpressRequest, res: ExpressResponse, next: (error?: unknown) => void) => void {
  const verifier = options.verifier ?? createCredentialVerifier(options);
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  return (req, res, next) => {
    const run = async (): Promise<void> => {
      const url = `${publicUrl ?? `${req.protocol}://${req.get('host') ?? ''}`}${req.originalUrl}`;
      const body = needsBody(req.headers) ? await rawBodyOf(req) : undefined;
      const sourceAddress = options.sourceAddress ? options.sourceAddress(req) : req.ip;
      const verdict = await verifier.verify({
        method: req.method,
        url,
        headers: req.headers,
        ...(body !== undefined ? { body } : {}),
        ...(sourceAddress !== undefined ? { sourceAddress } : {}),
      });
      if (verdict.ok) {
        req.rekey = verdict.identity;
        next();
        return;
      }
      res
        .status(verdict.status)
        .set({ ...verdict.headers, 'content-type': 'application/problem+json' })
        .send(JSON.stringify(verdict.problem));
    };
    run().catch(next);
  };
}
