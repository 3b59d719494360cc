import { invalid } from '../../kernel/errors.js';
import type { FieldSchema } from './profile-descriptor.js';
import { PROFILE_DESCRIPTORS, type FieldsByProfile, type Profile } from './registry.js';

/** Every settable field of every profile with its schema; a field shared by profiles has one schema. */
export function settableFieldSchemas(): ReadonlyMap<string, FieldSchema> {
  const schemas = new Map<string, FieldSchema>();
  for (const descriptor of Object.values(PROFILE_DESCRIPTORS)) {
    for (const [name, schema] of Object.entries(descriptor.settable) as Array<[string, FieldSchema]>) schemas.set(name, schema);
  }
  return schemas;
}

function problemOf(schema: FieldSchema, value: unknown): string | null {
  if ('anyOf' in schema) return value === null ? null : problemOf({ ...schema.anyOf[0], description: schema.description }, value);
  switch (schema.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      if (schema.minimum !== undefined && value < schema.minimum) return `must be >= ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `must be <= ${schema.maximum}`;
      return null;
    case 'string':
      return stringProblem(schema, value);
    case 'array': {
      if (!Array.isArray(value)) return 'must be an array';
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return `must have at most ${schema.maxItems} items`;
      if (schema.uniqueItems && new Set(value).size !== value.length) return 'must not hold duplicate items';
      const bad = value.map((item) => stringProblem(schema.items, item)).find((problem) => problem !== null);
      return bad ?? null;
    }
  }
}

function stringProblem(
  schema: { minLength?: number; maxLength?: number; pattern?: string; enum?: readonly string[] },
  value: unknown,
): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (schema.minLength !== undefined && value.length < schema.minLength) return `must have at least ${schema.minLength} characters`;
  if (schema.maxLength !== undefined && value.length > schema.maxLength) return `must have at most ${schema.maxLength} characters`;
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return `must match pattern "${schema.pattern}"`;
  if (schema.enum !== undefined && !schema.enum.includes(value)) return `must be one of ${schema.enum.join(', ')}`;
  return null;
}

/**
 * The fields a caller asked to set for a new client of `profile`, checked against its descriptor:
 * a field of another profile is refused rather than ignored, and every value must fit its schema.
 */
export function checkSettableFields<P extends Profile>(profile: P, input: Readonly<Record<string, unknown>>): Partial<FieldsByProfile[P]> {
  const settable = PROFILE_DESCRIPTORS[profile].settable as Readonly<Record<string, FieldSchema | undefined>>;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const schema = Object.hasOwn(settable, key) ? settable[key] : undefined;
    if (!schema) throw invalid(`/${key}`, `"${key}" does not apply to ${profile} clients.`);
    const problem = problemOf(schema, value);
    if (problem !== null) throw invalid(`/${key}`, `${key} ${problem}.`);
    fields[key] = value;
  }
  return fields as Partial<FieldsByProfile[P]>;
}
