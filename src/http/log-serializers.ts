/**
 * Log serializers that can never print a header value (STYLE.md: secrets are radioactive). An
 * error keeps its type, code, message and stack, never the raw packet or headers a parser error
 * carries; a request keeps its method, route path and id, never headers or a query string.
 */
export const logSerializers = {
  err(error: unknown): { type: string; message: string; stack: string; code?: string } {
    if (!(error instanceof Error)) return { type: typeof error, message: '', stack: '' };
    const { code } = error as { code?: unknown };
    return { type: error.name, message: error.message, stack: error.stack ?? '', ...(typeof code === 'string' ? { code } : {}) };
  },
  req(request: unknown): Record<string, unknown> {
    const { id, method, url } = (request ?? {}) as { id?: unknown; method?: unknown; url?: unknown };
    return {
      ...(id !== undefined ? { id } : {}),
      ...(typeof method === 'string' ? { method } : {}),
      ...(typeof url === 'string' ? { path: url.split('?')[0] } : {}),
    };
  },
  res(reply: unknown): Record<string, unknown> {
    const { statusCode } = (reply ?? {}) as { statusCode?: unknown };
    return typeof statusCode === 'number' ? { statusCode } : {};
  },
};
