import {
  PROFILE_DESCRIPTORS,
  checkSettableFields,
  settableFieldSchemas,
  type FieldSchema,
  type Profile,
} from '../core/credentials/index.js';
import { RekeyError } from '../core/kernel/index.js';
import { UsageError } from './output.js';

/** `allowedScopes` → `--allowed-scope` (repeatable), `lockSeconds` → `--lock-seconds`. */
function flagOf(field: string, schema: FieldSchema): string {
  const kebab = field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return 'type' in schema && schema.type === 'array' ? kebab.replace(/s$/, '') : kebab;
}

const FLAGS = [...settableFieldSchemas()].map(([field, schema]) => ({ field, schema, flag: flagOf(field, schema) }));

/** parseArgs options for every profile's settable fields, read from the profile descriptors. */
export const PROFILE_FIELD_OPTIONS = Object.fromEntries(
  FLAGS.map(({ flag, schema }) => [
    flag,
    'type' in schema && schema.type === 'array' ? { type: 'string' as const, multiple: true as const } : { type: 'string' as const },
  ]),
);

/** One usage line per profile: the flags `clients create` takes for it. */
export function profileUsage(): string {
  return Object.entries(PROFILE_DESCRIPTORS)
    .map(([profile, descriptor]) => {
      const flags = FLAGS.filter(({ field }) => Object.hasOwn(descriptor.settable, field)).map(
        ({ flag, schema }) => `[--${flag} ${valueHint(schema)}]`,
      );
      return `  --profile ${profile} ${flags.join(' ')}`.trimEnd();
    })
    .join('\n');
}

function valueHint(schema: FieldSchema): string {
  if ('anyOf' in schema) return 'N|none';
  if (schema.type === 'boolean') return 'true|false';
  if (schema.type === 'integer') return 'N';
  if (schema.type === 'string' && schema.enum) return schema.enum.join('|');
  return schema.type === 'array' ? 'VALUE' : 'TEXT';
}

function parseValue(flag: string, schema: FieldSchema, raw: string | string[]): unknown {
  if (Array.isArray(raw)) return raw;
  if ('anyOf' in schema) return raw === 'none' ? null : parseInteger(flag, raw);
  if (schema.type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`--${flag} is true or false.`);
    return raw === 'true';
  }
  return schema.type === 'integer' ? parseInteger(flag, raw) : raw;
}

function parseInteger(flag: string, raw: string): number {
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${flag} must be an integer.`);
  return Number(raw);
}

/** The profile fields given as flags, checked against the profile's descriptor as the API checks them. */
export function profileFieldsFromFlags(profile: Profile, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const { field, schema, flag } of FLAGS) {
    const raw = values[flag] as string | string[] | undefined;
    if (raw === undefined) continue;
    if (!Object.hasOwn(PROFILE_DESCRIPTORS[profile].settable, field))
      throw new UsageError(`--${flag} does not apply to ${profile} clients.`);
    input[field] = parseValue(flag, schema, raw);
  }
  try {
    return checkSettableFields(profile, input);
  } catch (error) {
    if (error instanceof RekeyError && error.code === 'invalid_request')
      throw new UsageError(error.message.replace(/^(\w+)/, (field) => `--${FLAGS.find((item) => item.field === field)?.flag ?? field}`));
    throw error;
  }
}
