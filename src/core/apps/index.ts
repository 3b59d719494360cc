export * from './app-credentials.js';
export * from './app-slots.js';
export * from './app.js';
export * from './apps-store.js';
export * from './key-account-regenerated.js';
export * from './manage-apps.js';
export * from './rotate-with-apps.js';
