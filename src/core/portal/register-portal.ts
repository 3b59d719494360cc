import type { App } from '../apps/app.js';
import type { Caller, CoreDeps } from '../kernel/core-deps.js';
import { createClient } from '../credentials/create-client.js';
import { RekeyError } from '../kernel/errors.js';
import { setAppState, writeAppSecret } from '../apps/app-slots.js';
import { newId } from '../kernel/new-id.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { permissionsOfRoles } from '../accounts/permissions.js';
import { recordAudit } from '../audit/record-audit.js';
import { regenerateSecret } from '../credentials/regenerate-secret.js';
import { requirePermission } from '../accounts/require-permission.js';
import { verifyMemberPassword, type PasswordVerifier } from '../accounts/sessions.js';

/** The portal (SPEC §5 Registration): an app with one slot, bound to a key account only registration rotates. */
export const PORTAL_APP_NAME = 'portal';
export const PORTAL_SLOT = 'portal';
export const PORTAL_KEY_ACCOUNT_NAME = 'Portal key account';

export interface RegisterInput {
  /** The account id (seed 001's "Company ID"). */
  companyId: string;
  email: string;
  password: string;
  address: string;
}

/** Never the secret: it goes only into the portal app's slot (seed 001: "API credentials are hidden from users"). */
export interface RegistrationResult {
  accountId: string;
  clientId: string;
  versionId: string;
  registeredAt: string;
}

/**
 * Signs the member in (email + password, throttled and timed exactly like console sign-in, sharing
 * its counters) and returns them as a caller with their live permissions.
 */
async function signInForRegistration(
  deps: CoreDeps,
  input: RegisterInput,
  passwords: PasswordVerifier,
): Promise<{ caller: Caller; email: string }> {
  const { member, keys } = await verifyMemberPassword(
    deps,
    { accountId: input.companyId, email: input.email, password: input.password, address: input.address, purpose: 'registration' },
    passwords,
  );
  await deps.store.clearThrottle(keys.emailAndAddress);
  await deps.store.clearThrottle(keys.email);
  const roles = await deps.store.listRoles(member.accountId);
  return {
    email: member.email,
    caller: {
      accountId: member.accountId,
      memberId: member.id,
      actor: { type: 'member', id: member.id, memberId: member.id },
      permissions: permissionsOfRoles(member.roles, roles),
    },
  };
}

/**
 * POST /v1/register. The first run creates the portal key account and the portal app; every later
 * run regenerates the portal secret with zero grace (the old pair stops at once). Either way the new
 * secret is written straight into the portal app's slot and the confirmation is queued — all in one
 * transaction, so a crash leaves either the old registration or the new one, never a secret nobody
 * holds. Console sessions are untouched: they never held the secret.
 */
export async function registerPortal(deps: CoreDeps, input: RegisterInput, passwords: PasswordVerifier): Promise<RegistrationResult> {
  const { caller, email } = await signInForRegistration(deps, input, passwords);
  await requirePermission(deps, caller, 'credentials.manage', 'run the portal registration');
  const accountId = caller.accountId;

  const result = await deps.store.transaction(async (tx) => {
    // Commands below open their own transactions; given `tx` they join this one.
    const txDeps: CoreDeps = { ...deps, store: tx };
    await tx.lockAccount(accountId);
    const now = deps.clock.now();
    const existing = await tx.getPortalRegistration(accountId);

    let keyAccount = existing ? await tx.getClient(existing.keyAccountId) : null;
    if (keyAccount && (keyAccount.accountId !== accountId || keyAccount.state === 'deleted')) keyAccount = null;
    let clientId: string;
    let secret: string;
    let versionId: string;
    let previousVersionId: string | null = null;
    if (keyAccount) {
      clientId = keyAccount.id;
      previousVersionId = (await tx.listVersions(clientId)).find((version) => version.state === 'current')?.id ?? null;
      ({ secret, versionId } = await regenerateSecret(txDeps, caller, clientId, { graceSeconds: 0 }, { via: 'registration' }));
    } else {
      const created = await createClient(txDeps, caller, {
        profile: 'apikey',
        name: PORTAL_KEY_ACCOUNT_NAME,
        fields: { registrationOnly: true },
      });
      ({ id: clientId, versionId } = created);
      secret = created.secret!;
    }
    const client = await tx.getClient(clientId);
    if (!client) throw new RekeyError('internal', 'The portal key account vanished during registration.');

    let app = existing ? await tx.getApp(existing.appId) : null;
    if (app && app.accountId !== accountId) app = null;
    if (!app) {
      app = {
        id: newId('app', deps.random),
        accountId,
        name: PORTAL_APP_NAME,
        apiKeyId: client.id,
        state: 'undeployed',
        // The platform issues the portal's app token (POST /v1/apps/{id}/token); registration never shows one.
        tokenHash: null,
        tokenCreatedAt: null,
        createdAt: now,
        updatedAt: now,
      } satisfies App;
      await tx.insertApp(app);
      await recordAudit(deps, tx, {
        accountId,
        type: 'app.created',
        actor: caller.actor,
        clientId: client.id,
        data: { appId: app.id, name: app.name, via: 'registration' },
      });
    } else if (app.apiKeyId !== client.id) {
      app = { ...app, apiKeyId: client.id, updatedAt: now };
      await tx.updateApp(app);
    }
    await writeAppSecret(txDeps, tx, app, { name: PORTAL_SLOT, keyAccount: client, value: secret }, caller.actor, { via: 'registration' });
    await setAppState(txDeps, tx, app, 'deployed', caller.actor, { via: 'registration' });

    await tx.savePortalRegistration({
      accountId,
      keyAccountId: client.id,
      appId: app.id,
      createdAt: existing?.createdAt ?? now,
      registeredAt: now,
      runs: (existing?.runs ?? 0) + 1,
    });
    const firstRun = keyAccount === null;
    await recordAudit(deps, tx, {
      accountId,
      type: 'registration.completed',
      actor: caller.actor,
      clientId: client.id,
      versionId,
      data: { appId: app.id, firstRun, previousVersionId, email },
    });
    const account = await tx.getAccount(accountId);
    await notifyAdministrators(
      deps,
      tx,
      accountId,
      'registration.completed',
      {
        subject: `Portal registration completed for account ${accountId}`,
        text: [
          `The portal registration of account ${accountId}${account ? ` (${account.name})` : ''} was run by ${email} at ${new Date(now).toISOString()}.`,
          `Portal key account ${client.id} now uses secret version ${versionId}` +
            (previousVersionId ? `; the previous version ${previousVersionId} stopped working immediately.` : '.'),
          `The new secret went straight to the portal app ${app.id}; it is never shown to people.`,
          'Signed URLs issued before keep working until their own expiry; new ones use the new version.',
        ].join('\n'),
        clientId: client.id,
        versionId,
      },
      { alsoTo: [email] },
    );
    return { accountId, clientId: client.id, versionId, registeredAt: new Date(now).toISOString() };
  });
  deps.credentials.invalidate(result.clientId);
  return result;
}
