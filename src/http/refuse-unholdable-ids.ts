import type { preValidationHookHandler } from 'fastify';
import { isUnholdable, notFound } from '../core/kernel/index.js';

/**
 * An id in a path that no store can hold names nothing: 404 `not_found`, as for any unknown id
 * (SPEC §5), before the store's own refusal (400) could answer for it.
 */
export const refuseUnholdableIds: preValidationHookHandler = (request, _reply, done) => {
  const params = (request.params ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(params)) {
    if (isUnholdable(value)) return done(notFound(resourceTypeOf(request.routeOptions.url ?? '', name), String(value)));
  }
  done();
};

/** `/v1/clients/:id/unlock` → `client`: the collection the parameter indexes, in the singular. */
function resourceTypeOf(route: string, param: string): string {
  const segments = route.split('/');
  const at = segments.indexOf(`:${param}`);
  const collection = at > 0 ? segments[at - 1]! : param;
  return collection.endsWith('s') ? collection.slice(0, -1) : collection;
}
