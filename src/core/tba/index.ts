export * from './authenticate-token.js';
export * from './bundles.js';
export * from './manage-tokens.js';
export * from './reset-consumer-credentials.js';
export * from './tba-cache.js';
export * from './tba-store.js';
export * from './tba-token.js';
