/**
 * Audit events of the types `/metrics` reports (rotations, lockouts), counted as this process
 * records them. A process holds one store, so a module-level count is this node's count; the
 * count is per node, as Prometheus counters are, and sums across nodes.
 */
const counts = new Map<string, number>();

export const COUNTED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'secret.regenerated',
  'client.reset',
  'bundle.reset',
  'client.locked',
  'signing_key.rotated',
  'master_key.rotated',
]);

export function countRecordedEvent(type: string): void {
  if (COUNTED_EVENT_TYPES.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
}

/** Event type → how many this process recorded since it started. */
export function recordedEventCounts(): ReadonlyMap<string, number> {
  return counts;
}
