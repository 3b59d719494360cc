/** Schema for the oauth feature. Empty until the feature needs tables; never edit once released. */
export const OAUTH_MIGRATION = { version: 4, name: 'oauth', sql: '' };
