export * from './audit-event.js';
export * from './audit-store.js';
export * from './list-audit-events.js';
export * from './record-audit.js';
