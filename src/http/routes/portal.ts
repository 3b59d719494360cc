import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { registerRegistrationRoutes } from './registration.js';
import { registerSandboxRoutes } from './sandboxes.js';
import { registerSignedUrlRoutes } from './signed-urls.js';
import { registerWebhookRoutes } from './webhooks.js';

/** Registration, signed URLs, sandboxes and webhooks (seed 001, SPEC §5 and §10). */
export function registerPortalRoutes(app: FastifyInstance, deps: AppDeps): void {
  registerRegistrationRoutes(app, deps);
  registerSignedUrlRoutes(app, deps);
  registerSandboxRoutes(app, deps);
  registerWebhookRoutes(app, deps);
}
