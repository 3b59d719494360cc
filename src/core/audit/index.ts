export * from './audit-event.js';
export * from './audit-store.js';
export * from './record-audit.js';
