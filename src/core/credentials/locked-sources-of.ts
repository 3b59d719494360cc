import type { Client } from './client.js';
import type { Store } from '../kernel/store.js';
import { descriptorOf } from './profiles/registry.js';

/** For the client view: how many sources of a key account are locked at `now` (0 for other profiles, without a read). */
export async function lockedSourcesOf(store: Pick<Store, 'countLockedSources'>, client: Client, now: number): Promise<number> {
  return descriptorOf(client).locksOut ? store.countLockedSources(client.id, now) : 0;
}
