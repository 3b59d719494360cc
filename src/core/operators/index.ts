export * from './create-account.js';
export * from './manage-operator-tokens.js';
export * from './operator-token.js';
export * from './operators-store.js';
