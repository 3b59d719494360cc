import type { Actor } from '../audit/audit-event.js';
import type { Client } from '../credentials/client.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { generateCredential } from '../kernel/credential-format.js';
import { RekeyError, invalid, notFound } from '../kernel/errors.js';
import { guardGrant } from '../accounts/guard-grant.js';
import { assertCanGrantRoles } from '../accounts/grant-rules.js';
import { loadClient } from '../credentials/load-client.js';
import { newId } from '../kernel/new-id.js';
import { recordAudit } from '../audit/record-audit.js';
import { requirePermission } from '../accounts/require-permission.js';
import type { Store } from '../kernel/store.js';
import { tokenAad, viewToken, type TbaToken, type TbaTokenView } from './tba-token.js';

/** A tba record that can hold tokens: active, token-based auth on. */
function assertTokenCapable(client: Client): void {
  if (client.profile !== 'tba') throw new RekeyError('not_tba', 'Tokens belong to integration records (tba clients) only.');
  if (client.state === 'deleted') throw new RekeyError('conflict', 'This integration is deleted.');
  if (client.fields.tokenBasedAuth === false)
    throw new RekeyError('tba_disabled', 'This integration does not use token-based authentication.');
}

/** The record whose consumer pair signs tokens of `client`: itself, or for an installation the bundle's record. */
async function consumerOf(store: Store, client: Client): Promise<string> {
  const installation = await store.getInstallation(client.id);
  if (!installation) return client.id;
  const source = await store.getClient(installation.sourceClientId);
  if (!source || source.state === 'deleted')
    throw new RekeyError('conflict', 'The integration this bundle was installed from was deleted by its owner.');
  return source.id;
}

/**
 * Issues a token for (integration, member, role name the member holds). The caller must hold the
 * role's permissions too: a token acts as its role, so issuing one is a grant (SPEC §1).
 */
export async function issueToken(
  deps: CoreDeps,
  caller: Caller,
  clientId: string,
  input: { memberId: string; role: string },
): Promise<{ tokenId: string; tokenSecret: string }> {
  await requirePermission(deps, caller, 'credentials.manage', 'issue an access token', { clientId });
  // Checks that may refuse with an audited 403 run before the transaction, so the audit row survives.
  const client = await loadClient(deps.store, caller.accountId, clientId);
  assertTokenCapable(client);
  const member = await deps.store.getMember(caller.accountId, input.memberId);
  if (!member || member.removedAt !== null) throw notFound('member', input.memberId);
  if (!member.roles.includes(input.role)) throw invalid('/role', `The member does not hold the role "${input.role}".`);
  const roles = await deps.store.listRoles(caller.accountId);
  await guardGrant(deps, caller, 'issue an access token', () => assertCanGrantRoles(caller, [input.role], roles), { clientId });

  const secret = generateCredential('tokenSecret', deps.random);
  const tokenId = newId('tok', deps.random);
  const consumerClientId = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    assertTokenCapable(await loadClient(tx, caller.accountId, clientId));
    const consumer = await consumerOf(tx, client);
    const holder = await tx.getMember(caller.accountId, member.id);
    if (!holder || holder.removedAt !== null || !holder.roles.includes(input.role))
      throw new RekeyError('conflict', "The member's roles changed meanwhile; try again.");
    const now = deps.clock.now();
    const token: TbaToken = {
      id: tokenId,
      clientId: client.id,
      consumerClientId: consumer,
      accountId: client.accountId,
      memberId: member.id,
      role: input.role,
      secretHash: deps.keyring.hash(secret),
      secretCiphertext: '',
      createdAt: now,
      revokedAt: null,
      revokedReason: null,
    };
    token.secretCiphertext = deps.keyring.encrypt(secret, tokenAad(token));
    await tx.insertToken(token);
    await tx.recordChange(consumer, now);
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type: 'token.created',
      actor: caller.actor,
      clientId: client.id,
      data: { tokenId, memberId: member.id, role: input.role },
    });
    return consumer;
  });
  deps.credentials.invalidate(consumerClientId);
  return { tokenId, tokenSecret: secret };
}

export async function listTokens(deps: CoreDeps, caller: Caller, clientId: string): Promise<TbaTokenView[]> {
  await requirePermission(deps, caller, 'credentials.read', 'list access tokens', { clientId });
  const client = await loadClient(deps.store, caller.accountId, clientId);
  if (client.profile !== 'tba') throw new RekeyError('not_tba', 'Tokens belong to integration records (tba clients) only.');
  return (await deps.store.listTokensOfClient(client.id, { includeRevoked: false })).map(viewToken);
}

/** Revokes tokens inside the caller's transaction: audited, and a change recorded for each consumer. Returns the consumers to invalidate after commit. */
export async function revokeTokensIn(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  tokens: readonly TbaToken[],
  options: { actor: Actor; reason: string },
): Promise<string[]> {
  const live = tokens.filter((token) => token.revokedAt === null);
  if (live.length === 0) return [];
  const now = deps.clock.now();
  await tx.revokeTokens(
    live.map((token) => token.id),
    now,
    options.reason,
  );
  const consumers = [...new Set(live.map((token) => token.consumerClientId))];
  for (const consumer of consumers) await tx.recordChange(consumer, now);
  for (const token of live) {
    await recordAudit(deps, tx, {
      accountId: token.accountId,
      type: 'token.revoked',
      actor: options.actor,
      clientId: token.clientId,
      data: { tokenId: token.id, memberId: token.memberId, role: token.role, reason: options.reason },
    });
  }
  return consumers;
}

export function invalidateConsumers(deps: Pick<CoreDeps, 'credentials'>, consumers: readonly string[]): void {
  for (const consumer of consumers) deps.credentials.invalidate(consumer);
}

export async function revokeToken(deps: CoreDeps, caller: Caller, clientId: string, tokenId: string): Promise<void> {
  await requirePermission(deps, caller, 'credentials.manage', 'revoke an access token', { clientId });
  const consumers = await deps.store.transaction(async (tx) => {
    const client = await loadClient(tx, caller.accountId, clientId);
    if (client.profile !== 'tba') throw new RekeyError('not_tba', 'Tokens belong to integration records (tba clients) only.');
    const token = await tx.getToken(tokenId);
    if (!token || token.clientId !== client.id) throw notFound('token', tokenId);
    return revokeTokensIn(deps, tx, [token], { actor: caller.actor, reason: 'revoked' });
  });
  invalidateConsumers(deps, consumers);
}

export async function revokeAllTokens(deps: CoreDeps, caller: Caller, clientId: string): Promise<{ revoked: number }> {
  await requirePermission(deps, caller, 'credentials.manage', 'revoke every access token', { clientId });
  const { consumers, count } = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await loadClient(tx, caller.accountId, clientId);
    if (client.profile !== 'tba') throw new RekeyError('not_tba', 'Tokens belong to integration records (tba clients) only.');
    const tokens = await tx.listTokensOfClient(client.id, { includeRevoked: false });
    return { consumers: await revokeTokensIn(deps, tx, tokens, { actor: caller.actor, reason: 'revoked' }), count: tokens.length };
  });
  invalidateConsumers(deps, consumers);
  return { revoked: count };
}

/** Tokens a member no longer may hold: all of them when they leave, those of lost roles otherwise (SPEC §1). */
export async function revokeTokensOfMember(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyring'>,
  tx: Store,
  member: { accountId: string; id: string },
  options: { keepRoles: readonly string[]; actor: Actor; reason: 'role_removed' | 'member_removed' },
): Promise<string[]> {
  const tokens = await tx.listActiveTokensOfMember(member.accountId, member.id);
  return revokeTokensIn(
    deps,
    tx,
    tokens.filter((token) => !options.keepRoles.includes(token.role)),
    options,
  );
}
