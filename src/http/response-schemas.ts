import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { EVENT_TYPES } from '../core/audit/index.js';
import { PERMISSIONS } from '../core/accounts/index.js';
import { PROFILES, settableFieldSchemas } from '../core/credentials/index.js';

/**
 * The bodies Rekey answers with, as named OpenAPI components (`#/components/schemas/<name>`).
 * Documentation only: routes reference them through `config.responses` (openapi.ts), so what a
 * route serializes stays what its handler returns. Closed shapes say `additionalProperties: false`
 * so the test suite's response check (response-validation.ts) notices a field the document misses.
 */

const Closed = <T extends TProperties>(properties: T, options: { description?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
const Instant = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));
const Items = (item: TSchema, options: { nextCursor?: boolean } = {}) =>
  Closed({
    items: Type.Array(item),
    ...(options.nextCursor ? { nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page.' })) } : {}),
  });

const refTo = (name: string): TSchema => Type.Unsafe({ $ref: `#/components/schemas/${name}` });

const VersionState = Literals(['current', 'previous', 'retired', 'revoked']);

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

const Member = Closed({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Instant(),
  removedAt: Type.Optional(Instant()),
});
const Permission = Literals(PERMISSIONS);
const CurrentMember = Closed({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Instant(),
  removedAt: Type.Optional(Instant()),
  accountId: Type.String(),
  permissions: Type.Array(Permission, { description: 'What the caller may do right now.' }),
});
const Role = Closed({ name: Type.String(), permissions: Type.Array(Permission), builtIn: Type.Boolean() });
const adminTokenFields = {
  id: Type.String(),
  name: Type.String(),
  memberId: Type.String(),
  permissions: Type.Array(Type.String()),
  createdAt: Instant(),
  expiresAt: Type.Optional(Instant()),
  revokedAt: Type.Optional(Instant()),
  lastUsedAt: Type.Optional(Instant()),
};
const AdminToken = Closed(adminTokenFields, { description: 'An admin token: metadata only.' });
const CreatedAdminToken = Closed(
  { ...adminTokenFields, token: Type.String({ description: 'The token (`rk_adm_…`), returned this once.' }) },
  { description: 'A new admin token, shown this once.' },
);

const Session = Closed({
  id: Type.String(),
  memberId: Type.String(),
  createdAt: Instant(),
  lastSeenAt: Instant(),
  expiresAt: Instant(),
  address: Type.String(),
  userAgent: Type.Optional(Type.String()),
  current: Type.Boolean({ description: 'The session this request came with.' }),
});
const SignedIn = Closed({
  sessionId: Type.String(),
  accountId: Type.String(),
  memberId: Type.String(),
  expiresAt: Instant(),
  csrfToken: Type.String({ description: 'Send as `X-CSRF-Token` on POST, PUT, PATCH and DELETE.' }),
});
const Revoked = Closed({ revoked: Type.Integer({ minimum: 0, description: 'How many were revoked.' }) });

const AppSecret = Closed({
  name: Type.String(),
  keyAccountId: Type.String(),
  versionId: Type.Optional(Type.String()),
  versionState: Type.Union([VersionState, Literals(['expired', 'unknown'])], {
    description: '`current`/`previous` work; `retired`, `revoked` or `expired` mean the app holds a secret that no longer works.',
  }),
  updatedAt: Instant(),
});
const appFields = {
  id: Type.String(),
  name: Type.String(),
  config: Closed({ apiKeyId: Type.Optional(Type.String({ description: 'The key account the app authenticates with.' })) }),
  state: Literals(['deployed', 'undeployed']),
  secrets: Type.Array(AppSecret, { description: 'Secret slots: metadata only, never values.' }),
  hasToken: Type.Boolean(),
  tokenCreatedAt: Type.Optional(Instant()),
  createdAt: Instant(),
  updatedAt: Instant(),
};
const App = Closed(appFields, { description: 'An app and the metadata of its secret slots.' });
const CreatedApp = Closed(
  { ...appFields, appToken: Type.String({ description: 'The app token (`rk_app_…`), returned this once.' }) },
  { description: 'A new app with its token, shown this once.' },
);
const AppCredentials = Closed({
  appId: Type.String(),
  name: Type.String(),
  state: Literals(['deployed', 'undeployed']),
  secrets: Type.Array(
    Closed({ name: Type.String(), keyAccountId: Type.String(), value: Type.String(), versionId: Type.Optional(Type.String()) }),
  ),
});
const AppToken = Closed({
  appId: Type.String(),
  appToken: Type.String({ description: 'The new app token (`rk_app_…`), returned this once; the old one stops working.' }),
});
const RotateWithAppsResult = Closed({
  versionId: Type.String(),
  steps: Type.Array(
    Closed({
      appId: Type.String(),
      step: Literals(['undeploy', 'write_secret', 'deploy']),
      status: Literals(['done', 'skipped', 'failed']),
    }),
  ),
});
const StaleUsage = Closed({
  versionId: Type.String(),
  appId: Type.Optional(Type.String()),
  userAgent: Type.Optional(Type.String()),
  address: Type.String(),
  count: Type.Integer({ minimum: 1 }),
  lastSeenAt: Instant(),
});

const AuditEvent = Closed({
  id: Type.String(),
  at: Instant(),
  type: refTo('EventType'),
  actor: Closed({
    type: Literals(['member', 'admin_token', 'client', 'system', 'session', 'app', 'leak_reporter']),
    id: Type.String(),
    memberId: Type.Optional(Type.String({ description: 'The member behind an admin token or session.' })),
  }),
  clientId: Type.Optional(Type.String()),
  versionId: Type.Optional(Type.String()),
  code: Type.Optional(Type.String({ description: 'Failures: the error code.' })),
  count: Type.Integer({ minimum: 1, description: 'Repeated failures are folded into one event.' }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'Event details; never a secret.' }),
});
const ExportedAuditEvent = Closed({
  id: Type.String(),
  accountId: Type.String(),
  at: Instant(),
  type: refTo('EventType'),
  actor: Closed({
    type: Literals(['member', 'admin_token', 'client', 'system', 'session', 'app', 'leak_reporter']),
    id: Type.String(),
    memberId: Type.Optional(Type.String()),
  }),
  clientId: Type.Union([Type.String(), Type.Null()]),
  versionId: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  count: Type.Integer({ minimum: 1 }),
  data: Type.Record(Type.String(), Type.Unknown()),
  seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: "The event's position in its account's chain; null until chained.",
  }),
  hash: Type.Union([Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Null()], {
    description: 'Hex HMAC-SHA256 of the previous hash and the RFC 8785 canonical JSON of the event with its seq (SPEC §12).',
  }),
});
const AuditVerification = Closed({
  valid: Type.Boolean(),
  events: Type.Integer({ minimum: 0, description: 'Chained events checked.' }),
  firstBrokenEventId: Type.Optional(Type.String({ description: 'The first event whose hash or position does not follow.' })),
  reason: Type.Optional(Literals(['hash', 'gap', 'head'])),
  pending: Type.Integer({ minimum: 0, description: 'Aggregated events of the last minutes, not chained yet.' }),
});
const OutboxMessage = Closed({
  id: Type.String(),
  type: Type.String(),
  channel: Literals(['email', 'webhook']),
  status: Literals(['pending', 'sent', 'failed']),
  attempts: Type.Integer({ minimum: 0 }),
  createdAt: Instant(),
  recipient: Type.String(),
  sentAt: Type.Optional(Instant()),
  lastError: Type.Optional(Type.String()),
});
const webhookFields = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Literals(Object.keys(EVENT_TYPES))),
  createdAt: Instant(),
};
const Webhook = Closed(webhookFields);
const CreatedWebhook = Closed({
  ...webhookFields,
  secret: Type.String({ description: 'The `whsec_…` signing secret, returned this once.' }),
});

const sandboxFields = {
  accountId: Type.String(),
  name: Type.String(),
  kind: Type.Literal('sandbox'),
  parentId: Type.String(),
  createdAt: Instant(),
};
const Sandbox = Closed(sandboxFields);
const CreatedSandbox = Closed({
  ...sandboxFields,
  members: Type.Integer({ minimum: 0, description: 'Members copied.' }),
  adminToken: Type.String({ description: 'An admin token for your copy in the sandbox, returned this once.' }),
});
const AccessTokenFor = Closed({
  accountId: Type.String(),
  memberId: Type.String(),
  adminToken: Type.String({ description: 'Returned this once.' }),
});
const RefreshResult = Closed({
  sandboxId: Type.String(),
  parentId: Type.String(),
  refreshedAt: Instant(),
  clients: Type.Array(Closed({ parentClientId: Type.String(), clientId: Type.String(), profile: Literals(PROFILES), name: Type.String() })),
  apps: Type.Array(Closed({ parentAppId: Type.String(), appId: Type.String(), name: Type.String() })),
  skipped: Type.Array(Closed({ parentClientId: Type.String(), reason: Type.String() })),
  deleted: Closed(
    {
      secretVersions: Type.Integer(),
      tokens: Type.Integer(),
      adminTokens: Type.Integer(),
      appTokens: Type.Integer(),
      sessions: Type.Integer(),
      clients: Type.Integer(),
    },
    { description: 'What the refresh deleted, by kind.' },
  ),
  adminToken: Type.Optional(Type.String({ description: 'A new admin token for your copy, returned this once.' })),
});

const TbaToken = Closed({ tokenId: Type.String(), memberId: Type.String(), role: Type.String(), createdAt: Instant() });
const IssuedToken = Closed({ tokenId: Type.String(), tokenSecret: Type.String({ description: 'Returned this once.' }) });
const ConsumerCredentials = Closed({
  consumerKey: Type.String(),
  consumerSecret: Type.String({ description: 'Returned this once.' }),
});
const Bundle = Closed({
  bundleId: Type.String(),
  clientId: Type.String(),
  createdAt: Instant(),
  installations: Type.Array(Closed({ accountId: Type.String(), installedAt: Instant() })),
});

const Registration = Closed({
  accountId: Type.String(),
  clientId: Type.String({ description: 'The portal key account.' }),
  versionId: Type.String(),
  registeredAt: Instant(),
});
const SignedUrl = Closed({ url: Type.String(), expiresAt: Instant() });
const SignedUrlVerdict = Closed({
  valid: Type.Boolean(),
  code: Literals(['ok', 'bad_signature', 'expired', 'revoked']),
  accountId: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Instant()),
});

const Account = Closed({
  accountId: Type.String(),
  name: Type.String(),
  kind: Literals(['production', 'sandbox']),
  parentId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant(),
});
const CreatedAccount = Closed({
  accountId: Type.String(),
  memberId: Type.String({ description: 'The Administrator.' }),
  adminToken: Type.String({ description: 'Returned this once.' }),
});

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
  Member,
  CurrentMember,
  Role,
  AdminToken,
  CreatedAdminToken,
  Session,
  SignedIn,
  Revoked,
  App,
  CreatedApp,
  AppCredentials,
  AppToken,
  RotateWithAppsResult,
  StaleUsage,
  AuditEvent,
  ExportedAuditEvent,
  AuditVerification,
  OutboxMessage,
  Webhook,
  CreatedWebhook,
  Sandbox,
  CreatedSandbox,
  SandboxAdminToken: AccessTokenFor,
  RefreshResult,
  TbaToken,
  IssuedToken,
  ConsumerCredentials,
  Bundle,
  Registration,
  SignedUrl,
  SignedUrlVerdict,
  Account,
  CreatedAccount,
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
