/** Schema for the apps feature. Empty until the feature needs tables; never edit once released. */
export const APPS_MIGRATION = { version: 3, name: 'apps', sql: '' };
