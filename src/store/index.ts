export { startChangeFollower, type ChangeFollower } from './change-follower.js';
export { migrate } from './migrations.js';
export { openKeyring, resolveMasterKey, rotateMasterKey } from './open-keyring.js';
export { openStore, type OpenedStore } from './open-store.js';
export { openPostgresChangeListener } from './postgres/postgres-change-listener.js';
export { createSqlStore } from './sql-store.js';
export { recordedEventCounts } from './recorded-events.js';
