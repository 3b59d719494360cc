import type { Client, ClientFields, Profile } from './client.js';
import { viewClient, type ClientView } from './client-view.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { randomBase62 } from '../kernel/credential-format.js';
import { issueSecretVersion } from './issue-secret-version.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';

export interface CreateClientInput {
  profile: Profile;
  name: string;
  fields: ClientFields;
  /** Optional lifetime of the issued secret version. */
  expiresInSeconds?: number;
}

export type CreatedClient = ClientView & { versionId: string; secret?: string; consumerSecret?: string };

const PROFILE_DEFAULTS: Record<Profile, ClientFields> = {
  integrator: {},
  oauth: { allowedScopes: [] },
  apikey: { maxFailedAttempts: 5, lockSeconds: null, throttleFailuresPerMinute: 30, lockScope: 'keyAccount', staleSecretsCount: false },
  tba: { tokenBasedAuth: true, allowHmacSha1: false },
};

export function newConsumerKey(deps: Pick<CoreDeps, 'random'>): string {
  return `ck_${randomBase62(deps.random, 32)}`;
}

/** A new client record: a fresh id, active and unlocked, created at `now`. */
export function newClientRecord(deps: Pick<CoreDeps, 'random'>, init: Pick<Client, 'accountId' | 'profile' | 'name' | 'fields' | 'consumerKey'>, now: number): Client {
  return {
    id: newId('cli', deps.random),
    ...init,
    state: 'active',
    failedAttempts: 0,
    lockedAt: null,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
}

/** Creates a client and its first secret version; the only response that carries the secret. */
export async function createClient(deps: CoreDeps, caller: Caller, input: CreateClientInput): Promise<CreatedClient> {
  await requirePermission(deps, caller, 'credentials.manage', 'create a client');
  const now = deps.clock.now();
  const client = newClientRecord(deps, {
    accountId: caller.accountId,
    profile: input.profile,
    name: input.name,
    fields: { ...PROFILE_DEFAULTS[input.profile], ...input.fields },
    consumerKey: input.profile === 'tba' ? newConsumerKey(deps) : null,
  }, now);
  const expiresAt = input.expiresInSeconds ? now + input.expiresInSeconds * 1000 : null;
  const { version, secret } = issueSecretVersion(deps, client, now, { expiresAt });
  await deps.store.transaction(async (tx) => {
    await tx.insertClient(client);
    await tx.insertVersion(version);
    await tx.recordChange(client.id, now);
    await recordAudit(deps, tx, { accountId: client.accountId, type: 'client.created', actor: caller.actor, clientId: client.id, versionId: version.id, data: { profile: client.profile, name: client.name } });
  });
  deps.credentials.invalidate(client.id);
  const view = viewClient(client, [version], now);
  return client.profile === 'tba'
    ? { ...view, versionId: version.id, consumerSecret: secret }
    : { ...view, versionId: version.id, secret };
}
