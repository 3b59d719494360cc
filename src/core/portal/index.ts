export * from './portal-store.js';
export * from './refresh-sandbox.js';
export * from './register-portal.js';
export * from './sandboxes.js';
export * from './signed-urls.js';
