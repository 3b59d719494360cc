export * from './audit-event.js';
export * from './record-audit.js';
