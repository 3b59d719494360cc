/** The little a store needs of a SQL driver. Placeholders are `?`; drivers translate as needed. */
export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `work` in one transaction that serialises writers; nested calls join the outer one. */
  transaction<T>(work: (db: SqlDb) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL: queues `work` as the transaction's last step before COMMIT (outside a transaction it
   * runs in one of its own). The change log uses it so that its sequence order is commit order.
   */
  beforeCommit?(work: (db: SqlDb) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
