import type { WrappedKeyMaterial } from './keyring.js';

export interface ChangeNotice {
  seq: number;
  clientId: string;
}

/** Store port: what every aggregate shares: the wrapped key material, the change log, the purge and the connection. */
export interface KernelStore {
  getKeyMaterial(): Promise<WrappedKeyMaterial | null>;
  saveKeyMaterial(wrapped: WrappedKeyMaterial, options: { replace: boolean }): Promise<void>;

  /** Appends to the change log every node follows to drop cached credentials (SPEC §9). */
  recordChange(clientId: string, at: number): Promise<void>;
  changesSince(seq: number): Promise<ChangeNotice[]>;
  latestChange(): Promise<number>;

  /**
   * Deletes what can no longer matter at `now`: expired nonces, idempotency records and console
   * sessions, ended throttle windows, and per-address lockout rows quiet for a day (never a lock
   * without end).
   */
  purgeExpired(now: number): Promise<void>;

  close(): Promise<void>;
}
