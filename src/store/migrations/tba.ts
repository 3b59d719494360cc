/** Schema for the tba feature. Empty until the feature needs tables; never edit once released. */
export const TBA_MIGRATION = { version: 2, name: 'tba', sql: '' };
