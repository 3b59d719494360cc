import { useResource } from './use-resource';

interface OpenApiDocument {
  components?: { schemas?: { EventType?: { enum?: string[] } } };
  paths?: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content?: Record<
            string,
            {
              schema?: { properties?: Record<string, { items?: { enum?: string[]; anyOf?: Array<{ const?: string; enum?: string[] }> } }> };
            }
          >;
        };
      }
    >
  >;
}

let cached: Promise<OpenApiDocument> | undefined;

function loadDocument(): Promise<OpenApiDocument> {
  cached ??= fetch('/openapi.json', { headers: { accept: 'application/json' } })
    .then((response) => response.json() as Promise<OpenApiDocument>)
    .catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  return cached;
}

/**
 * The closed lists the API publishes (audit event types, webhook events), read from the OpenAPI
 * document the server serves, so the console's filters never drift from the server's lists.
 */
export function useOpenApiEnums(): { eventTypes: string[]; webhookEvents: string[] } {
  const document = useResource('openapi', loadDocument);
  const eventTypes = document.data?.components?.schemas?.EventType?.enum ?? [];
  const items = document.data?.paths?.['/v1/webhooks']?.post?.requestBody?.content?.['application/json']?.schema?.properties?.events?.items;
  const webhookEvents = items?.enum ?? items?.anyOf?.flatMap((option) => option.enum ?? (option.const ? [option.const] : [])) ?? [];
  return { eventTypes, webhookEvents };
}
