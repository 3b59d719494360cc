import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getBundleOfClient, installBundle, publishBundle } from '../../core/tba/index.js';
import type { AppDeps } from '../app-deps.js';
import { callerOf } from '../request-context.js';
import { CREATED, created, ok } from '../openapi.js';
import { listOf, ref } from '../response-schemas.js';

const EmptyBody = Type.Object({}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });
const PublishedBundle = Type.Object({ bundleId: Type.String() }, { additionalProperties: false });
const BundleParams = Type.Object({ bundleId: Type.String() });

/** Bundles (SPEC §5, seed 000): publish an integration record; other accounts install it. */
export function registerBundleRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { core } = deps;
  const tags = ['bundles'];
  const security = [{ adminToken: [] }];

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/clients/:id/bundles',
    {
      schema: {
        tags,
        summary: 'Publish an integration record as a bundle other accounts can install',
        params: IdParams,
        body: EmptyBody,
        security,
      },
      config: {
        auth: 'control',
        permission: 'accounts.manage',
        responses: {
          ...ok(PublishedBundle, undefined, 'The record was already published: its bundle.'),
          ...created(PublishedBundle, undefined, 'Published.'),
        },
      },
    },
    async (request, reply) => {
      const { bundle, created } = await publishBundle(core, callerOf(request), request.params.id);
      return reply.code(created ? 201 : 200).send({ bundleId: bundle.id });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id/bundles',
    {
      schema: { tags, summary: 'The bundle of an integration record and the accounts that installed it', params: IdParams, security },
      config: { auth: 'control', permission: 'credentials.read', responses: ok(listOf('Bundle')) },
    },
    async (request) => ({ items: await getBundleOfClient(core, callerOf(request), request.params.id) }),
  );

  app.post<{ Params: Static<typeof BundleParams>; Body: Static<typeof EmptyBody> }>(
    '/v1/bundles/:bundleId/install',
    {
      schema: {
        response: CREATED,
        tags,
        summary: "Install another account's bundle: returns the installed record (consumer key shown, never the secret)",
        params: BundleParams,
        body: EmptyBody,
        security,
      },
      config: {
        auth: 'control',
        permission: 'accounts.manage',
        responses: created(ref('Client'), undefined, 'The installed integration record (consumer key, never the secret).'),
      },
    },
    async (request, reply) => reply.code(201).send(await installBundle(core, callerOf(request), request.params.bundleId)),
  );
}
