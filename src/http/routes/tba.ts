import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';

export function registerTbaRoutes(_app: FastifyInstance, _deps: AppDeps): void {
  // Routes arrive with the feature.
}
