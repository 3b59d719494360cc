import { Type, type TProperties, type TSchema } from '@sinclair/typebox';

/** Builders shared by the response components (response-schemas.ts, response-schemas-control.ts). */
export const Closed = <T extends TProperties>(properties: T, options: { description?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
export const Instant = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
export const Literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));
export const Items = (item: TSchema, options: { nextCursor?: boolean } = {}) =>
  Closed({
    items: Type.Array(item),
    ...(options.nextCursor ? { nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page.' })) } : {}),
  });

export const refTo = (name: string): TSchema => Type.Unsafe({ $ref: `#/components/schemas/${name}` });

export const VersionState = Literals(['current', 'previous', 'retired', 'revoked']);
