export * from './clock.js';
export * from './core-deps.js';
export * from './credential-format.js';
export * from './errors.js';
export * from './keyring.js';
export * from './new-id.js';
export * from './random.js';
export * from './store.js';
