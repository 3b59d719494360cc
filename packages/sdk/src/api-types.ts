import type { ErrorCode } from './rekey-api-error.js';
import type { paths } from './schema.js';

/**
 * Request and answer types read from Rekey's OpenAPI document (schema.d.ts, generated). Where the
 * document does not describe an answer yet, `Answer` falls back to the shape SPEC §5 pins, and
 * switches to the document's own type as soon as `npm run sdk:types` sees one.
 */

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON request body of an operation. */
export type JsonRequest<Operation> = Operation extends { requestBody?: infer Body } ? Json<NonNullable<Body>> : never;

/** The JSON body of an operation's 200 or 201 answer, as the document describes it. */
export type JsonAnswer<Operation> = Operation extends { responses: infer Responses }
  ? Json<Responses[200 & keyof Responses]> | Json<Responses[201 & keyof Responses]>
  : never;

/** The document's answer type, or `Pinned` while the document leaves the answer undescribed. */
export type Answer<Operation, Pinned> = [JsonAnswer<Operation>] extends [never] ? Pinned : JsonAnswer<Operation>;

/** Who a verified credential belongs to (SPEC §4): the answer of `GET /v1/whoami`. */
export type RekeyIdentity = JsonAnswer<paths['/v1/whoami']['get']>;

export type Profile = JsonRequest<paths['/v1/clients']['post']>['profile'];
export type CreateClientInput = JsonRequest<paths['/v1/clients']['post']>;
export type RegenerateInput = JsonRequest<paths['/v1/clients/{id}/regenerate']['post']>;
export type ListClientsQuery = NonNullable<paths['/v1/clients']['get']['parameters']['query']>;

export interface SecretVersionView {
  versionId: string;
  state: string;
  createdAt: string;
  expiresAt?: string;
  graceUntil?: string;
  lastUsedAt?: string;
  useCount: number;
}

export interface PinnedClient {
  id: string;
  accountId: string;
  profile: Profile;
  name: string;
  state: 'active' | 'deleted';
  versions: SecretVersionView[];
  [field: string]: unknown;
}

export interface PinnedCreatedClient extends PinnedClient {
  versionId: string;
  secret?: string;
  consumerKey?: string;
  consumerSecret?: string;
}

export interface PinnedRegenerated {
  versionId: string;
  secret: string;
  oldSecretExpiresAt?: string;
  affectedApps?: Array<{ appId: string; name: string }>;
}

export type PinnedVerifyAnswer =
  ({ valid: true; code: 'ok' } & RekeyIdentity) | { valid: false; code: ErrorCode; detail?: string; retryAfter?: number };

export interface PinnedSignedUrlVerdict {
  valid: boolean;
  code: 'ok' | 'bad_signature' | 'expired' | 'revoked';
  accountId?: string;
  expiresAt?: string;
}

export type ClientView = Answer<paths['/v1/clients/{id}']['get'], PinnedClient>;
export type CreatedClient = Answer<paths['/v1/clients']['post'], PinnedCreatedClient>;
export type ClientPage = Answer<paths['/v1/clients']['get'], { items: PinnedClient[]; nextCursor?: string }>;
export type RegenerateAnswer = Answer<paths['/v1/clients/{id}/regenerate']['post'], PinnedRegenerated>;
export type VerifyAnswer = Answer<paths['/v1/verify']['post'], PinnedVerifyAnswer>;
export type SignedUrlVerdict = Answer<paths['/v1/signed-urls/verify']['post'], PinnedSignedUrlVerdict>;
