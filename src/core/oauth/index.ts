export * from './access-token-claims.js';
export * from './access-token.js';
export * from './client-credentials.js';
export * from './oauth-error.js';
export * from './oauth-store.js';
export * from './signing-key.js';
export * from './token-ids.js';
export * from './token-revocations.js';
