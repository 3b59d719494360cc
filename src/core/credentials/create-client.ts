import type { Client, ClientFields, Profile } from './client.js';
import { PROFILE_DESCRIPTORS } from './profiles/registry.js';
import { viewClient, type ClientView } from './client-view.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { randomBase62 } from '../kernel/credential-format.js';
import { issueSecretVersion } from './issue-secret-version.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import { maxGraceSeconds } from './max-grace-seconds.js';
import { checkRotationPolicy, type RotationPolicyInput } from './check-rotation-policy.js';

export interface CreateClientInput {
  profile: Profile;
  name: string;
  fields: ClientFields;
  /** Optional lifetime of the issued secret version. */
  expiresInSeconds?: number;
  /** Optional scheduled rotation (SPEC §12), checked as PUT …/rotation-policy checks it. */
  rotationPolicy?: RotationPolicyInput;
}

export type CreatedClient = ClientView & { versionId: string; secret?: string; consumerSecret?: string };

export function newConsumerKey(deps: Pick<CoreDeps, 'random'>): string {
  return `ck_${randomBase62(deps.random, 32)}`;
}

/** A new client record: a fresh id, active and unlocked, created at `now`. */
export function newClientRecord(
  deps: Pick<CoreDeps, 'random'>,
  init: Pick<Client, 'accountId' | 'profile' | 'name' | 'fields' | 'consumerKey'>,
  now: number,
): Client {
  // The caller pairs a profile with that profile's fields; the type system cannot follow the pair through Pick.
  return {
    id: newId('cli', deps.random),
    ...init,
    state: 'active',
    failedAttempts: 0,
    lockedAt: null,
    lockedUntil: null,
    rotationPolicy: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  } as Client;
}

/** Creates a client and its first secret version; the only response that carries the secret. */
export async function createClient(deps: CoreDeps, caller: Caller, input: CreateClientInput): Promise<CreatedClient> {
  await requirePermission(deps, caller, 'credentials.manage', 'create a client');
  const now = deps.clock.now();
  const profile = PROFILE_DESCRIPTORS[input.profile];
  const client = newClientRecord(
    deps,
    {
      accountId: caller.accountId,
      profile: input.profile,
      name: input.name,
      fields: { ...profile.defaults, ...input.fields },
      consumerKey: profile.hasConsumerKey ? newConsumerKey(deps) : null,
    },
    now,
  );
  if (input.rotationPolicy) {
    client.rotationPolicy = checkRotationPolicy(
      client,
      input.rotationPolicy,
      await maxGraceSeconds(deps, caller.accountId, 'control'),
      '/rotationPolicy',
    );
  }
  const expiresAt = input.expiresInSeconds ? now + input.expiresInSeconds * 1000 : null;
  const { version, secret } = issueSecretVersion(deps, client, now, { expiresAt });
  await deps.store.transaction(async (tx) => {
    await tx.insertClient(client);
    await tx.insertVersion(version);
    await tx.recordChange(client.id, now);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'client.created',
      actor: caller.actor,
      clientId: client.id,
      versionId: version.id,
      data: { profile: client.profile, name: client.name, ...(client.rotationPolicy ? { rotationPolicy: client.rotationPolicy } : {}) },
    });
  });
  deps.credentials.invalidate(client.id);
  const view = viewClient(client, [version], now);
  return { ...view, versionId: version.id, [profile.secretField]: secret };
}
