/** The closed list of audit and webhook event types, each with the sentence that documents it. */
export const EVENT_TYPES = {
  'client.created': 'A client was created; its first secret version was issued.',
  'client.updated': "A client's name or settings changed.",
  'client.deleted': 'A client was deleted: every secret version and token was revoked; the record stays for audit.',
  'client.reset': "An integration record's consumer key and secret were reset; the old pair stopped working.",
  'client.locked': 'A key account, or one source address of it, was locked after too many failed attempts (data.scope says which).',
  'client.unlocked': 'A key account was unlocked by a member or by a regenerate.',
  'secret.regenerated': 'A new secret version became current; the previous one entered its grace period or was retired.',
  'secret.revoked': 'A secret version was revoked and is refused from now on.',
  'secret.expiring': 'A secret version expires soon.',
  'secret.leaked':
    'A credential (secret, token secret, admin or app token) was reported as found in a public place (`url`). A live one was revoked at once and its account notified, naming the apps that used a revoked key account; one already retired, revoked or expired was only recorded. Never the credential itself.',
  'rotation.upcoming':
    "A client's scheduled rotation is due within its policy's warnDays (auto: Rekey will rotate it; notify: a person should).",
  'rotation.due':
    "A client's scheduled rotation date passed under a notify policy: it is marked rotationDue until its secret is regenerated.",
  'rotation.completed':
    'A scheduled rotation regenerated a key account with its grace, wrote the new secret into every app slot that holds the key account and redeployed the deployed apps.',
  'rotation.failed':
    'A scheduled rotation failed: the app slots it had changed were restored to the previous secret (which works until its grace ends) and it retries the next day.',
  'auth.failed': 'Failed authentications, aggregated per client, version, code and minute.',
  'signin.failed':
    'Failed console sign-ins and registration password checks, aggregated per account, targeted member (none for an unknown email), purpose and minute. Throttled attempts are not counted; nothing the caller typed is stored.',
  'permission.denied': 'A caller tried an action its permissions do not allow; nothing changed.',
  'member.created': 'A member was added to the account.',
  'member.updated': "A member's roles changed.",
  'member.removed': 'A member was removed; their tokens and sessions ended.',
  'role.created': 'A custom role was created.',
  'role.updated': "A custom role's permissions changed.",
  'role.deleted': 'A custom role was deleted.',
  'admin_token.created': 'An admin API token was created.',
  'admin_token.revoked': 'An admin API token was revoked.',
  'token.created': 'An access token was issued for an integration record.',
  'token.revoked': 'An access token of an integration record was revoked.',
  'registration.completed': 'The portal registration ran; the portal secret was issued or replaced.',
  'sandbox.created': 'A sandbox account was created from its parent.',
  'sandbox.refreshed': 'A sandbox was refreshed from its parent; every access key in it was deleted.',
  'bundle.published': 'An integration record was published as a bundle.',
  'bundle.installed': 'A bundle was installed into an account.',
  'bundle.reset': 'The owner reset a bundled integration; every installation uses the new consumer pair.',
  'app.created': 'An app was created.',
  'app.updated': "An app's configuration changed.",
  'app.deleted': 'An app was deleted.',
  'app.deployed': 'An app was deployed.',
  'app.undeployed': 'An app was undeployed.',
  'app.secret_updated': 'An app secret slot was written.',
  'master_key.rotated': 'The master key was replaced; data keys and the pepper were re-wrapped.',
  'signing_key.rotated': 'A new token signing key became active.',
  'webhook.created': 'A webhook endpoint was registered.',
  'webhook.deleted': 'A webhook endpoint was removed.',
  'session.revoked': 'Console sessions were ended.',
  'oauth.token_revoked': 'An OAuth client revoked one of its access tokens (RFC 7009).',
  'oauth.tokens_revoked':
    'Every access token issued with the listed secret versions was revoked (regenerate with revokeIssuedTokens, or delete).',
  'session.created': 'A member signed in to the console.',
  'member.password_changed': "A member's console password was set or changed; their other sessions ended.",
  'audit.checkpoint':
    "The head of the account's audit hash chain (position and hash), published at most hourly so that events removed from the end are detectable from outside. Webhook only; never an audit event itself.",
} as const;

export type EventType = keyof typeof EVENT_TYPES;

/** `leak_reporter`: a reporter key of leaked-secret reports (SPEC §12), named by its configured id. */
export type ActorType = 'member' | 'admin_token' | 'client' | 'system' | 'session' | 'app' | 'leak_reporter';

export interface Actor {
  type: ActorType;
  id: string;
  /** The member behind an admin token or session. */
  memberId?: string;
}

/** One audit record. `data` holds only non-secret facts. */
export interface AuditEvent {
  id: string;
  accountId: string;
  at: number;
  type: EventType;
  actor: Actor;
  clientId: string | null;
  versionId: string | null;
  /** For aggregated access events: the failure code and how many in the minute. */
  code: string | null;
  count: number;
  data: Record<string, unknown>;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'rekey' };
