import { Type, type TSchema } from '@sinclair/typebox';
import { PROFILES, settableFieldSchemas } from '../core/credentials/index.js';
import { Closed, Instant, Items, Literals, VersionState, refTo } from './response-schema-kit.js';
import { CONTROL_SCHEMAS } from './response-schemas-control.js';
import { ROTATION_SCHEMAS } from './response-schemas-rotation.js';

/**
 * The bodies Rekey answers with, as named OpenAPI components (`#/components/schemas/<name>`).
 * Documentation only: routes reference them through `config.responses` (openapi.ts), so what a
 * route serializes stays what its handler returns. Closed shapes say `additionalProperties: false`
 * so the test suite's response check (response-validation.ts) notices a field the document misses.
 */

const SecretVersion = Closed(
  {
    versionId: Type.String(),
    state: VersionState,
    createdAt: Instant(),
    expiresAt: Type.Optional(Instant()),
    graceUntil: Type.Optional(Instant('Previous versions: when the grace period ends.')),
    lastUsedAt: Type.Optional(Instant()),
    useCount: Type.Integer({ minimum: 0 }),
  },
  { description: 'A secret version: metadata only, never the secret or its hash.' },
);

/** Each profile's settings as the client shows them (the same descriptors that validate them). */
const settings = Object.fromEntries([...settableFieldSchemas()].map(([name, schema]) => [name, Type.Optional(Type.Unsafe(schema))]));

const Client = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    profile: Literals(PROFILES),
    name: Type.String(),
    state: Literals(['active', 'deleted']),
    createdAt: Instant(),
    updatedAt: Instant(),
    deletedAt: Type.Optional(Instant()),
    consumerKey: Type.Optional(Type.String({ description: 'tba: the OAuth 1.0a consumer key.' })),
    locked: Type.Optional(Type.Boolean({ description: 'apikey: locked out after failed attempts.' })),
    failedAttempts: Type.Optional(Type.Integer({ minimum: 0, description: 'apikey: consecutive failures.' })),
    lockedSources: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'apikey (lockScope tiered or source): how many sources (IPv4 addresses or IPv6 /64s) are locked now.',
      }),
    ),
    bundleId: Type.Optional(Type.String({ description: 'tba installed from a bundle: the bundle.' })),
    ownerAccountId: Type.Optional(Type.String({ description: 'tba installed from a bundle: the publishing account.' })),
    sourceClientId: Type.Optional(Type.String({ description: "tba installed from a bundle: the publisher's record." })),
    registrationOnly: Type.Optional(Type.Boolean({ description: 'apikey: the portal key account, rotated only by registration.' })),
    ...settings,
    rotationPolicy: Type.Union([refTo('RotationPolicy'), Type.Null()], { description: 'Scheduled rotation; null: none.' }),
    rotationDueAt: Type.Optional(Instant('With a policy: when the current secret is due for rotation.')),
    rotationDue: Type.Optional(Type.Boolean({ description: 'With a policy: the due date has passed and the secret was not rotated yet.' })),
    versions: Type.Array(SecretVersion, { description: 'Newest first; retired versions stay listed for 30 days.' }),
  },
  {
    additionalProperties: true,
    description: "A client: its profile's settings and its secret versions. Never a secret. Profiles may add fields.",
  },
);

const CreatedClient = Type.Intersect(
  [
    Client,
    Type.Object({
      versionId: Type.String({ description: 'The first secret version.' }),
      secret: Type.Optional(Type.String({ description: 'integrator, oauth, apikey: the secret, returned this once.' })),
      consumerSecret: Type.Optional(Type.String({ description: 'tba: the consumer secret, returned this once.' })),
    }),
  ],
  { description: 'The new client, with its secret (shown this once).' },
);

const AffectedApp = Closed({ appId: Type.String(), name: Type.String() });

const RegenerateResult = Closed(
  {
    versionId: Type.String(),
    secret: Type.String({ description: 'The new secret, returned this once.' }),
    oldSecretExpiresAt: Type.Optional(Instant('When the previous secret stops working (grace > 0).')),
    affectedApps: Type.Optional(Type.Array(AffectedApp, { description: 'apikey: apps whose secret slots hold the old secret.' })),
  },
  { description: 'A regenerated secret: the client id stays.' },
);

const identityFields = {
  credentialType: Literals(['basic', 'http_signature', 'oauth1', 'jwt']),
  accountId: Type.String(),
  clientId: Type.String(),
  profile: Literals(PROFILES),
  versionId: Type.String(),
  memberId: Type.Optional(Type.String({ description: 'OAuth 1.0a tokens: the member the token acts for.' })),
  role: Type.Optional(Type.String({ description: 'OAuth 1.0a tokens: the role the token carries.' })),
  scope: Type.Optional(Type.String({ description: 'Bearer access tokens: the granted scope.' })),
};
const Identity = Closed(identityFields, { description: 'Who a credential is.' });

const VerifyResult = Type.Union(
  [
    Closed({ valid: Type.Literal(true), code: Type.Literal('ok'), ...identityFields }),
    Closed({
      valid: Type.Literal(false),
      code: Type.String({ description: 'The error code authentication failed with (see /problems).' }),
      detail: Type.String(),
      retryAfter: Type.Optional(Type.Integer({ minimum: 0, description: '`rate_limited`, `unavailable`: seconds to wait, when known.' })),
    }),
  ],
  { description: 'The verdict on a request a resource server received: the identity, or why not.' },
);

const OAuthError = Closed(
  {
    error: Literals([
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
      'unsupported_token_type',
      'server_error',
      'temporarily_unavailable',
    ]),
    error_description: Type.String(),
  },
  { description: 'RFC 6749 §5.2: how the /oauth/* endpoints refuse.' },
);
const Introspection = Type.Union(
  [
    Closed({ active: Type.Literal(false) }),
    Closed({
      active: Type.Literal(true),
      client_id: Type.String(),
      token_type: Type.Literal('Bearer'),
      exp: Type.Integer(),
      iat: Type.Integer(),
      sub: Type.String(),
      aud: Type.Union([Type.String(), Type.Array(Type.String())]),
      iss: Type.String(),
      jti: Type.String(),
      rk_ver: Type.String({ description: 'The secret version the token was issued with.' }),
      scope: Type.Optional(Type.String()),
    }),
  ],
  { description: 'RFC 7662. Another client’s token, or any token that does not verify, is `{"active": false}`.' },
);
const Jwks = Closed({
  keys: Type.Array(
    Type.Object(
      { kty: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.Optional(Type.String()) },
      { additionalProperties: true, description: 'A public JWK (RFC 7517).' },
    ),
  ),
});
const AuthorizationServerMetadata = Type.Object(
  {
    issuer: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    introspection_endpoint: Type.String(),
    revocation_endpoint: Type.String(),
    grant_types_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    introspection_endpoint_auth_methods_supported: Type.Array(Type.String()),
    revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
    service_documentation: Type.String(),
  },
  { additionalProperties: true, description: 'RFC 8414.' },
);

/** Every documented body, by component name. */

export const RESPONSE_SCHEMAS = {
  SecretVersion,
  Client,
  CreatedClient,
  ClientPage: Items(refTo('Client'), { nextCursor: true }),
  RegenerateResult,
  Identity,
  VerifyResult,
  ...CONTROL_SCHEMAS,
  ...ROTATION_SCHEMAS,
  OAuthError,
  Introspection,
  Jwks,
  AuthorizationServerMetadata,
} satisfies Record<string, TSchema>;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;

/** A reference to one of the components above. */
export const ref = (name: ResponseSchemaName): TSchema => refTo(name);

/** `{ items: [<name>…] }`, the shape of every list. */
export const listOf = (name: ResponseSchemaName): TSchema => Items(refTo(name));
