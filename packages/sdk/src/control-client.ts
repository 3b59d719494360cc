import createClient, { type Client } from 'openapi-fetch';
import type {
  ClientPage,
  ClientView,
  CreateClientInput,
  CreatedClient,
  Profile,
  RegenerateAnswer,
  RegenerateInput,
  VerifyAnswer,
} from './api-types.js';
import { encodeBase64 } from './base64.js';
import { rekeyApiErrorOf } from './rekey-api-error.js';
import type { paths } from './schema.js';

/** A client for Rekey's control API, typed from its OpenAPI document; openapi-fetch is the transport. */
export interface ControlClientOptions {
  /** Rekey's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An admin API token (rk_adm_…). */
  adminToken: string;
  fetch?: typeof fetch;
}

export interface VerifyRequest {
  method: string;
  /** The full URL the end client used. */
  url: string;
  headers: Record<string, string>;
  /** The raw body, when the credential signs it (RFC 9421 content-digest, OAuth 1.0a form bodies). */
  body?: Uint8Array | string;
  /**
   * The end client's IP address. Sent only when given; Rekey honours it for tokens holding
   * `credentials.verify.forwarded` and answers 403 to others (SPEC §4).
   */
  sourceAddress?: string;
}

export interface ControlClient {
  /** Every operation of the document, typed: `api.GET('/v1/audit', { params: { query: … } })`. */
  api: Client<paths>;
  createClient(input: CreateClientInput): Promise<CreatedClient>;
  getClient(id: string): Promise<ClientView>;
  listClients(query?: { profile?: Profile; cursor?: string; limit?: number }): Promise<ClientPage>;
  regenerate(id: string, input?: RegenerateInput, options?: { idempotencyKey?: string }): Promise<RegenerateAnswer>;
  revokeVersion(id: string, versionId: string): Promise<unknown>;
  deleteClient(id: string): Promise<void>;
  /** `POST /v1/verify`: a request a resource server received; consumes its nonce, counts failures. */
  verify(request: VerifyRequest): Promise<VerifyAnswer>;
  /** Any call, untyped. Throws RekeyApiError for a non-2xx answer. */
  call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

type Outcome = { data?: unknown; error?: unknown; response: Response };

function unwrap<T>(outcome: Outcome): T {
  if (!outcome.response.ok) throw rekeyApiErrorOf(outcome.response, outcome.error);
  return outcome.data as T;
}

export function createControlClient(options: ControlClientOptions): ControlClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  const authorization = `Bearer ${options.adminToken}`;
  const doFetch = options.fetch;
  const api = createClient<paths>({
    baseUrl,
    headers: { authorization },
    // The admin token is the only credential: no cookies, and no browser login dialog on a 401.
    credentials: 'omit',
    ...(doFetch ? { fetch: (request: Request) => doFetch(request) } : {}),
  });

  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const response = await (doFetch ?? fetch)(baseUrl + path, {
      method,
      headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      credentials: 'omit',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw rekeyApiErrorOf(response, text);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    api,
    createClient: async (input) => unwrap(await api.POST('/v1/clients', { body: input })),
    getClient: async (id) => unwrap(await api.GET('/v1/clients/{id}', { params: { path: { id } } })),
    listClients: async (query = {}) => {
      const { limit, ...rest } = query;
      return unwrap(
        await api.GET('/v1/clients', { params: { query: { ...rest, ...(limit !== undefined ? { limit: String(limit) } : {}) } } }),
      );
    },
    regenerate: async (id, input = {}, regenerateOptions = {}) =>
      unwrap(
        await api.POST('/v1/clients/{id}/regenerate', {
          params: { path: { id } },
          body: input,
          ...(regenerateOptions.idempotencyKey ? { headers: { 'idempotency-key': regenerateOptions.idempotencyKey } } : {}),
        }),
      ),
    revokeVersion: async (id, versionId) =>
      unwrap(await api.POST('/v1/clients/{id}/versions/{versionId}/revoke', { params: { path: { id, versionId } }, body: {} })),
    deleteClient: async (id) => {
      unwrap(await api.DELETE('/v1/clients/{id}', { params: { path: { id } } }));
    },
    verify: async (request) => {
      const body =
        request.body === undefined ? undefined : typeof request.body === 'string' ? new TextEncoder().encode(request.body) : request.body;
      const payload = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        ...(body !== undefined ? { body: encodeBase64(body) } : {}),
        // Not in the document until the server accepts it; sent only when the caller asks.
        ...(request.sourceAddress !== undefined ? { sourceAddress: request.sourceAddress } : {}),
      };
      return unwrap(await api.POST('/v1/verify', { body: payload }));
    },
    call,
  };
}
