import { Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../core/audit/index.js';
import { PERMISSIONS } from '../core/accounts/index.js';
import { PROFILES } from '../core/credentials/index.js';
import { Closed, Instant, Literals, VersionState, refTo } from './response-schema-kit.js';

/* The control plane's bodies (members, roles, tokens, sessions, apps, audit, notifications, sandboxes, tba, portal, accounts): documentation only, see response-schemas.ts. */

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

export const CONTROL_SCHEMAS = {
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
};
