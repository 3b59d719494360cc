/** A JSON Schema as the OpenAPI document gives it (only the keywords the fuzz reads). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  $ref?: string;
}

/** One method of one path of `/openapi.json`. */
export interface Operation {
  method: string;
  /** OpenAPI template, e.g. `/v1/clients/{id}/versions/{versionId}/revoke`. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: JsonSchema }>;
  /** Content types the operation declares for its body, and the JSON schema when it is JSON. */
  body: { contentTypes: string[]; schema?: JsonSchema } | null;
  /** A JSON object body that refuses unknown fields: an extra field is certain to be refused. */
  strictBody: boolean;
  /** Security scheme names the document lists for the operation. */
  security: string[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  security?: Array<Record<string, unknown>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Array<Record<string, unknown>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, `$ref`s resolved. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const resolve = (schema: JsonSchema | undefined, depth = 0): JsonSchema | undefined => {
    if (!schema || depth > 20) return schema;
    if (schema.$ref) {
      const name = schema.$ref.split('/').pop()!;
      return resolve(document.components?.schemas?.[name], depth + 1);
    }
    const resolved: JsonSchema = { ...schema };
    if (schema.properties)
      resolved.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, resolve(value, depth + 1)!]));
    if (schema.items) resolved.items = resolve(schema.items, depth + 1);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (schema[key]) resolved[key] = schema[key]!.map((part) => resolve(part, depth + 1)!);
    }
    return resolved;
  };

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const schema = resolve(json);
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
        query: parameters
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => ({
            name: parameter.name,
            schema: resolve(parameter.schema) ?? {},
          })),
        body: Object.keys(content).length > 0 ? { contentTypes: Object.keys(content), ...(schema ? { schema } : {}) } : null,
        strictBody: schema?.type === 'object' && schema.additionalProperties === false,
        security: (operation.security ?? document.security ?? []).flatMap((requirement) => Object.keys(requirement)),
      });
    }
  }
  return operations;
}
