/** Schema for the portal feature. Empty until the feature needs tables; never edit once released. */
export const PORTAL_MIGRATION = { version: 5, name: 'portal', sql: '' };
