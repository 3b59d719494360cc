export * from './expiry-warnings.js';
export * from './notify-account.js';
export * from './notify-store.js';
export * from './outbox-delivery.js';
export * from './outbox-message.js';
export * from './webhooks.js';
