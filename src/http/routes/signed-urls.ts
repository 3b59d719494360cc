import { timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../core/kernel/index.js';
import { SIGNED_URL_MAX_TTL_SECONDS, createSignedUrl, verifySignedUrl, type PresentedSignedUrl } from '../../core/portal/index.js';
import { parseSignedUrl, signUrl, signedUrlSignature } from '../../protocols/signed-url.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { CREATED, created, ok } from '../openapi.js';
import { SIGNED_URL_EXAMPLE, SIGNED_URL_VERDICT_EXAMPLE } from '../response-examples.js';
import { ref } from '../response-schemas.js';

const Method = Type.String({
  minLength: 1,
  maxLength: 20,
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
  description: 'The HTTP method the URL is for.',
});
const Url = Type.String({ minLength: 1, maxLength: 8192 });
const SignBody = Type.Object(
  {
    url: Url,
    method: Method,
    ttlSeconds: Type.Integer({ minimum: 1, maximum: SIGNED_URL_MAX_TTL_SECONDS, description: 'Lifetime, at most 48 hours.' }),
  },
  { additionalProperties: false },
);
const VerifyBody = Type.Object({ url: Url, method: Method }, { additionalProperties: false });

const security = [{ adminToken: [] }];

/** Signed URLs (SPEC §5): signed with the portal key account's current version; verified here or by the SDK. */
export function registerSignedUrlRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;

  app.post<{ Body: Static<typeof SignBody> }>(
    '/v1/signed-urls',
    {
      schema: {
        response: CREATED,
        tags: ['signed-urls'],
        summary: "Sign a URL with the portal key account's current version",
        body: SignBody,
        security,
      },
      config: {
        auth: 'control',
        permission: 'credentials.verify',
        responses: created(ref('SignedUrl'), SIGNED_URL_EXAMPLE, 'The signed URL.'),
      },
    },
    async (request, reply) => {
      const { url, method, ttlSeconds } = request.body;
      // The URL is checked before anything else, so a bad one is a 400 whatever the account's state.
      try {
        signUrl({ method, url, key: new Uint8Array(32), kid: 'check', expiresAtSeconds: 0 });
      } catch (error) {
        throw invalid('/url', `${(error as Error).message}`);
      }
      const signed = await createSignedUrl(core, callerOf(request), { ttlSeconds }, (key, kid, expiresAtSeconds) =>
        signUrl({ method, url, key, kid, expiresAtSeconds }),
      );
      return reply.code(201).header('cache-control', 'no-store').send(signed);
    },
  );

  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/v1/signed-urls/verify',
    {
      schema: {
        tags: ['signed-urls'],
        summary: 'Verify a signed URL: 200 with valid and a code (bad_signature, expired, revoked)',
        body: VerifyBody,
        security,
      },
      config: {
        auth: 'control',
        permission: 'credentials.verify',
        responses: ok(
          ref('SignedUrlVerdict'),
          SIGNED_URL_VERDICT_EXAMPLE,
          'The verdict; a URL that fails is `valid: false` with its code.',
        ),
      },
    },
    async (request, reply) => {
      const parsed = parseSignedUrl(request.body.method, request.body.url);
      const presented: PresentedSignedUrl | null = parsed.ok
        ? {
            kid: parsed.kid,
            expiresAtSeconds: parsed.exp,
            matches: (key) => {
              const expected = signedUrlSignature(key, parsed.canonicalInput);
              return expected.length === parsed.sig.length && timingSafeEqual(expected, parsed.sig);
            },
          }
        : null;
      return reply.header('cache-control', 'no-store').send(await verifySignedUrl(core, callerOf(request), presented));
    },
  );
}
