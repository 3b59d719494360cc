import { randomBase62 } from './credential-format.js';
import type { Random } from './random.js';

/** Typed public ids. 22 base62 characters carry 131 bits: unguessable. */
export type IdPrefix = 'cli' | 'ver' | 'mem' | 'atk' | 'tok' | 'app' | 'evt' | 'msg' | 'bnd' | 'ses' | 'whk' | 'req' | 'ck' | 'opt' | 'rot';

export function newId(prefix: IdPrefix, random: Random): string {
  return `${prefix}_${randomBase62(random, 22)}`;
}
