import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Transform } from 'node:stream';
import type { RekeyIdentity } from './api-types.js';
import {
  createCredentialVerifier,
  needsBody,
  type CredentialVerdict,
  type CredentialVerifier,
  type CredentialVerifierOptions,
} from './credential-verifier.js';

/**
 * Fastify plugin (v5): verifies each request's credential with Rekey and puts the identity on
 * `request.rekey`; refuses with an RFC 9457 problem document (401, 400, 429 or 503) otherwise.
 * It applies to the scope it is registered in (and that scope's children):
 *
 *   await app.register(async (api) => { await api.register(rekeyAuth, options); api.get(…) });
 *
 * Basic and Bearer credentials are checked in `onRequest`, before the body is read. Signed requests
 * (RFC 9421, OAuth 1.0a) are checked in `preValidation`, once the raw body — copied as it streams
 * by in `preParsing` — is complete.
 */
export interface FastifyRekeyOptions extends CredentialVerifierOptions {
  /** The base URL end clients use (e.g. https://api.example.com); default: the request's protocol and host. */
  publicUrl?: string;
  /** The end client's address; default `request.ip` (which honours Fastify's `trustProxy`). */
  sourceAddress?: (request: FastifyRequest) => string | undefined;
  /** A verifier to share between plugin instances (its cache too). */
  verifier?: CredentialVerifier;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified identity, set by @rekey/sdk/fastify. */
    rekey: RekeyIdentity | null;
  }
}

const bodies = new WeakMap<FastifyRequest, Uint8Array[]>();

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const plugin: FastifyPluginAsync<FastifyRekeyOptions> = async (app, options) => {
  const verifier = options.verifier ?? createCredentialVerifier(options);
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  if (!app.hasRequestDecorator('rekey')) app.decorateRequest('rekey', null);

  const check = async (request: FastifyRequest, reply: FastifyReply, body: Uint8Array | undefined): Promise<void> => {
    const sourceAddress = options.sourceAddress ? options.sourceAddress(request) : request.ip;
    const verdict: CredentialVerdict = await verifier.verify({
      method: request.method,
      url: `${publicUrl ?? `${request.protocol}://${request.host}`}${request.url}`,
      headers: request.headers,
      ...(body !== undefined ? { body } : {}),
      ...(sourceAddress !== undefined ? { sourceAddress } : {}),
    });
    if (verdict.ok) {
      request.rekey = verdict.identity;
      return;
    }
    await reply
      .code(verdict.status)
      .headers({ ...verdict.headers, 'content-type': 'application/problem+json' })
      .send(JSON.stringify(verdict.problem));
  };

  app.addHook('onRequest', async (request, reply) => {
    if (needsBody(request.headers)) bodies.set(request, []);
    else await check(request, reply, undefined);
  });
  app.addHook('preParsing', async (request, _reply, payload) => {
    const chunks = bodies.get(request);
    if (chunks === undefined) return payload;
    const copy = new Transform({
      transform(chunk: Uint8Array, _encoding, done) {
        chunks.push(chunk);
        done(null, chunk);
      },
    });
    payload.on('error', (error) => copy.destroy(error));
    return payload.pipe(copy);
  });
  app.addHook('preValidation', async (request, reply) => {
    const chunks = bodies.get(request);
    if (chunks === undefined) return;
    bodies.delete(request);
    await check(request, reply, concat(chunks));
  });
};

// What fastify-plugin does: the hooks apply to the scope that registers the plugin, not a child of it.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const rekeyAuth = plugin;
