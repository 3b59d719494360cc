import type { StringListSchema, StringSchema } from './profile-descriptor.js';

/** Fields more than one profile takes, with one schema each. */
export const CONTACT_NAME: StringSchema = { type: 'string', maxLength: 200, description: 'Who to contact about this client.' };
export const EMAIL: StringSchema = {
  type: 'string',
  maxLength: 320,
  pattern: '^[^\\s@]+@[^\\s@]+$',
  description: 'Contact email address.',
};
export const APPLICATION: StringSchema = { type: 'string', maxLength: 200, description: 'The application this client is for.' };
export const SCOPES: StringListSchema = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
  maxItems: 100,
  uniqueItems: true,
  description: 'Scopes the client may request (RFC 6749 §3.3 scope tokens).',
};
