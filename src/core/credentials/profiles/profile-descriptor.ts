/** JSON Schemas of settable fields: plain data, so the HTTP layer and the CLI both read them. */
export interface StringSchema {
  type: 'string';
  description: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly string[];
}
export interface IntegerSchema {
  type: 'integer';
  description: string;
  minimum?: number;
  maximum?: number;
}
export interface BooleanSchema {
  type: 'boolean';
  description: string;
}
export interface StringListSchema {
  type: 'array';
  description: string;
  items: Omit<StringSchema, 'description' | 'enum'>;
  maxItems?: number;
  uniqueItems?: boolean;
}
/** An integer, or null for "none" (e.g. a lock without end). */
export interface NullableIntegerSchema {
  description: string;
  anyOf: [Omit<IntegerSchema, 'description'>, { type: 'null' }];
}
export type FieldSchema = StringSchema | IntegerSchema | BooleanSchema | StringListSchema | NullableIntegerSchema;

/** How a data-plane request may prove it holds a client's secret (SPEC §4). */
export type AuthScheme = 'basic' | 'http_signature' | 'oauth1';

/** What the version-history view shows besides the common fields, from the stored record. */
export interface ProfileViewInput<F> {
  fields: F;
  consumerKey: string | null;
  failedAttempts: number;
  lockedAt: number | null;
  lockedUntil: number | null;
  /** Key accounts: how many sources are locked now (read by the caller; 0 when not read). */
  lockedSources?: number;
}

/** Why a client of this profile may not be rotated through a given path, or null when it may. */
export interface RotationRefusal {
  code: 'use_reset' | 'bundle_managed' | 'registration_only';
  message: string;
  fields?: Record<string, unknown>;
}

export type RotationPath = 'control' | 'integrator' | 'registration' | 'reset';

/**
 * Everything that is special about one credential profile. The HTTP schemas, the authentication
 * dispatch, the CLI options and the rotation rules read this; nothing else switches on a profile.
 */
export interface ProfileDescriptor<F extends object> {
  /** Words for messages: "a key account (apikey client)". */
  noun: string;
  /** The fields a caller may set when creating a client of this profile, with their schemas. */
  settable: { readonly [K in keyof F]?: FieldSchema };
  /** What a new client of this profile starts with, before the caller's fields. */
  defaults: F;
  /** The data-plane methods a secret of this profile authenticates with. */
  schemes: readonly AuthScheme[];
  /** The rotation verb: a new secret under the same id, or a new consumer key and secret. */
  rotation: 'regenerate' | 'reset';
  /** The name of the create response's one-time secret field. */
  secretField: 'secret' | 'consumerSecret';
  /** Whether the client carries a consumer key (`ck_…`) besides its id. */
  hasConsumerKey: boolean;
  /** Failed attempts count towards a lock; apps may reference the client (SPEC §4 item 5, seed 002). */
  locksOut: boolean;
  /** Issues OAuth 2.0 access tokens whose fate follows its secret versions. */
  issuesAccessTokens: boolean;
  /** Holds token-based-authentication tokens (`tok_…`). */
  holdsTokens: boolean;
  /** Whether the plaintext secret must be recoverable server-side (signatures, signed URLs). */
  keepsCiphertext(fields: F): boolean;
  /** Refuses a rotation path this client does not allow; null when it may rotate that way. */
  refuseRotation(fields: F, path: RotationPath): RotationRefusal | null;
  /** Profile-only fields of the control API's view. */
  view(input: ProfileViewInput<F>, now: number): Record<string, unknown>;
}
