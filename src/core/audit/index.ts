export * from './audit-event.js';
export * from './audit-store.js';
export * from './list-audit-events.js';
export * from './record-audit.js';
export * from './audit-chain.js';
export * from './maintain-audit-chain.js';
export * from './audit-link.js';
