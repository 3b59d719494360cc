import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { registerFirstRunRoute } from './first-run.js';
import { registerConsoleAssets } from './serve-console.js';

/** The web console (SPEC §7): its static build at `/` and the one public call its first-run page needs. */
export function registerConsole(app: FastifyInstance, deps: AppDeps): void {
  registerFirstRunRoute(app, deps);
  registerConsoleAssets(app);
}
