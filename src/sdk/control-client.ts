/** A typed client for Rekey's control API, for Node services and scripts. */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  [extension: string]: unknown;
}

export class RekeyApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined, text: string) {
    super(problem ? `${problem.code}: ${problem.detail}` : `HTTP ${status}: ${text.slice(0, 200)}`);
    this.name = 'RekeyApiError';
    this.status = status;
    this.problem = problem;
  }
}

export type Profile = 'integrator' | 'oauth' | 'apikey' | 'tba';

export interface ClientSummary {
  id: string;
  accountId: string;
  profile: Profile;
  name: string;
  state: 'active' | 'deleted';
  versions: Array<{ versionId: string; state: string; createdAt: string; expiresAt?: string; graceUntil?: string; lastUsedAt?: string; useCount: number }>;
  [field: string]: unknown;
}

export interface CreatedClient extends ClientSummary {
  versionId: string;
  secret?: string;
  consumerKey?: string;
  consumerSecret?: string;
}

export interface RegenerateResponse {
  versionId: string;
  secret: string;
  oldSecretExpiresAt?: string;
  affectedApps?: Array<{ appId: string; name: string }>;
}

export interface ControlClientOptions {
  /** Rekey's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An admin API token (rk_adm_…). */
  adminToken: string;
  fetch?: typeof fetch;
}

export interface ControlClient {
  createClient(input: { profile: Profile; name: string; [field: string]: unknown }): Promise<CreatedClient>;
  getClient(id: string): Promise<ClientSummary>;
  listClients(query?: { profile?: Profile; cursor?: string; limit?: number }): Promise<{ items: ClientSummary[]; nextCursor?: string }>;
  regenerate(id: string, input?: { graceSeconds?: number; revokeIssuedTokens?: boolean }, options?: { idempotencyKey?: string }): Promise<RegenerateResponse>;
  revokeVersion(id: string, versionId: string): Promise<unknown>;
  deleteClient(id: string): Promise<void>;
  verify(request: { method: string; url: string; headers: Record<string, string>; body?: Uint8Array | string }): Promise<{ valid: boolean; code: string; [field: string]: unknown }>;
  /** Any other control call. */
  call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export function createControlClient(options: ControlClientOptions): ControlClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const response = await doFetch(base + path, {
      method,
      headers: { authorization: `Bearer ${options.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
      let problem: Problem | undefined;
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        problem = undefined;
      }
      throw new RekeyApiError(response.status, problem, text);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const id = (value: string): string => encodeURIComponent(value);
  return {
    createClient: (input) => call('POST', '/v1/clients', input),
    getClient: (clientId) => call('GET', `/v1/clients/${id(clientId)}`),
    listClients: (query = {}) => {
      const params = new URLSearchParams();
      if (query.profile) params.set('profile', query.profile);
      if (query.cursor) params.set('cursor', query.cursor);
      if (query.limit) params.set('limit', String(query.limit));
      const qs = params.toString();
      return call('GET', `/v1/clients${qs ? `?${qs}` : ''}`);
    },
    regenerate: (clientId, input = {}, opts = {}) =>
      call('POST', `/v1/clients/${id(clientId)}/regenerate`, input, opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    revokeVersion: (clientId, versionId) => call('POST', `/v1/clients/${id(clientId)}/versions/${id(versionId)}/revoke`, {}),
    deleteClient: async (clientId) => {
      await call('DELETE', `/v1/clients/${id(clientId)}`);
    },
    verify: (request) => call('POST', '/v1/verify', {
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.body !== undefined ? { body: Buffer.from(request.body).toString('base64') } : {}),
    }),
    call,
  };
}
