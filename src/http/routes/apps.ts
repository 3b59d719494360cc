import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';

export function registerAppRoutes(_app: FastifyInstance, _deps: AppDeps): void {
  // Routes arrive with the feature.
}
