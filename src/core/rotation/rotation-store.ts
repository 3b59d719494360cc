import type { Client } from '../credentials/client.js';
import type { Page } from '../kernel/page.js';
import type { RotationRun } from './rotation-run.js';

/** Store port: scheduled-rotation runs, one per (client, due date, kind). */
export interface RotationStore {
  /** Active clients with a rotation policy, by id after `afterId`. */
  listClientsWithRotationPolicy(afterId: string | null, limit: number): Promise<Client[]>;
  /** Inserts the run unless one for its (client, due date, kind) exists; true when this insert won. */
  insertRotationRun(run: RotationRun): Promise<boolean>;
  /**
   * Writes `run` over the stored row only if that row still has `expected`'s status, attempts and
   * lease: a conditional update, so of several nodes taking over one run exactly one succeeds.
   */
  replaceRotationRun(run: RotationRun, expected: Pick<RotationRun, 'status' | 'attempts' | 'leaseUntil'>): Promise<boolean>;
  getRotationRun(id: string): Promise<RotationRun | null>;
  /** Rotate runs another node should pick up at `now`: failed ones whose retry is due, running ones whose lease ran out. */
  listResumableRotationRuns(now: number, limit: number): Promise<RotationRun[]>;
  /** A client's runs, newest first. */
  listRotationRuns(clientId: string, page: { cursor?: string; limit: number }): Promise<Page<RotationRun>>;
}
