import type { Actor } from '../audit/audit-event.js';
import { recordAudit } from '../audit/record-audit.js';
import { MAX_APPS_LISTED } from '../apps/manage-apps.js';
import { revokeVersion } from '../credentials/rotate-secret.js';
import { effectiveState, versionVerdict } from '../credentials/secret-version.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import type { CredentialKind } from '../kernel/credential-format.js';
import { newId } from '../kernel/new-id.js';
import type { Store } from '../kernel/store.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import {
  credentialKindOf,
  tokenHashOf,
  tokenTypeOf,
  type LeakLabel,
  type LeakReportItem,
  type LeakReporter,
  type LeakVerdict,
} from './leak-report.js';

/** What the audit event and the notification say about a match: never the credential itself. */
type LeakFacts = Record<string, string>;

interface Match {
  reporter: LeakReporter;
  actor: Actor;
  /** The pepper-keyed hash every store lookup uses. */
  secretHash: string;
  facts: LeakFacts;
}

const NAMES: Record<CredentialKind, string> = {
  secret: 'secret',
  tokenSecret: 'access token secret',
  adminToken: 'admin token',
  appToken: 'app token',
  operatorToken: 'operator token',
};

/**
 * Handles a leaked-secret report (SPEC §12), match by match. The checksum turns noise away before
 * any lookup. A credential that still works is revoked at once — every node drops it through the
 * change log (SPEC §9) or, for tokens read from the store on every request, with the commit — and
 * its account is notified and the event audited; one already retired, revoked or expired is only
 * recorded. The answer per match is its label: it never says more (which account, which client).
 */
export async function reportLeaks(deps: CoreDeps, reporter: LeakReporter, items: readonly LeakReportItem[]): Promise<LeakVerdict[]> {
  const labels = new Map<string, LeakLabel>();
  const verdicts: LeakVerdict[] = [];
  for (const item of items) {
    let label = labels.get(item.token);
    if (label === undefined) {
      label = await handleMatch(deps, reporter, item);
      labels.set(item.token, label);
    }
    verdicts.push({ token_hash: tokenHashOf(item.token), token_type: tokenTypeOf(item), label });
  }
  return verdicts;
}

async function handleMatch(deps: CoreDeps, reporter: LeakReporter, item: LeakReportItem): Promise<LeakLabel> {
  const kind = credentialKindOf(item.token);
  if (kind === null) return 'false_positive';
  const facts: LeakFacts = { credentialType: kind, tokenHash: tokenHashOf(item.token) };
  if (item.url !== undefined) facts.url = item.url;
  if (item.source !== undefined) facts.source = item.source;
  if (item.type !== undefined) facts.reportedType = item.type;
  if (reporter.type === 'reporter_key') facts.reporterKeyId = reporter.keyId;
  const match: Match = {
    reporter,
    actor: reporter.type === 'reporter_key' ? { type: 'leak_reporter', id: reporter.keyId } : reporter.caller.actor,
    secretHash: deps.keyring.hash(item.token),
    facts,
  };
  switch (kind) {
    case 'secret':
      return leakedSecret(deps, match);
    case 'tokenSecret':
      return leakedTokenSecret(deps, match);
    case 'adminToken':
      return leakedAdminToken(deps, match);
    case 'appToken':
      return leakedAppToken(deps, match);
    case 'operatorToken':
      return leakedOperatorToken(deps, match);
  }
}

/** A member reports for their own account only; a reporter key for every account. */
function mayAct(reporter: LeakReporter, accountId: string): boolean {
  return reporter.type === 'reporter_key' || reporter.caller.accountId === accountId;
}

function whereFound(facts: LeakFacts): string {
  const source = facts.source !== undefined ? ` (${facts.source})` : '';
  return facts.url !== undefined ? `was found in a public place: ${facts.url}${source}` : `was reported as leaked${source}`;
}

async function recordLeak(
  deps: CoreDeps,
  tx: Store,
  match: Match,
  target: { accountId: string; clientId?: string | null; versionId?: string | null; data?: Record<string, unknown> },
  outcome: { revoked: boolean; state: string },
): Promise<void> {
  await recordAudit(deps, tx, {
    accountId: target.accountId,
    type: 'secret.leaked',
    actor: match.actor,
    clientId: target.clientId ?? null,
    versionId: target.versionId ?? null,
    data: { ...match.facts, ...target.data, outcome: outcome.revoked ? 'revoked' : 'recorded', state: outcome.state },
  });
}

async function notifyLeak(
  deps: CoreDeps,
  tx: Store,
  match: Match,
  notice: {
    accountId: string;
    subject: string;
    what: string;
    note?: string;
    clientId?: string;
    versionId?: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const kind = match.facts.credentialType as CredentialKind;
  await notifyAdministrators(deps, tx, notice.accountId, 'secret.leaked', {
    subject: notice.subject,
    text:
      `${notice.what} in account ${notice.accountId} ${whereFound(match.facts)}. ` +
      `Rekey revoked it at once: it is refused everywhere from now on. Issue a new ${NAMES[kind]} where needed, ` +
      'and remove the leaked one from where it was published.' +
      (notice.note !== undefined ? ` ${notice.note}` : ''),
    ...(notice.clientId !== undefined ? { clientId: notice.clientId } : {}),
    ...(notice.versionId !== undefined ? { versionId: notice.versionId } : {}),
    details: {
      credentialType: kind,
      ...(match.facts.url !== undefined ? { url: match.facts.url } : {}),
      ...(match.facts.source !== undefined ? { source: match.facts.source } : {}),
      ...notice.details,
    },
  });
}

/** `rk_sec_`: a client's secret version (any profile). A live one is revoked like POST …/versions/{id}/revoke. */
async function leakedSecret(deps: CoreDeps, match: Match): Promise<LeakLabel> {
  const found = await deps.store.findVersionBySecretHash(match.secretHash);
  if (!found || !mayAct(match.reporter, found.accountId)) return 'false_positive';
  const clientId = found.clientId;
  const revoked = await deps.store.transaction(async (tx) => {
    await tx.lockClient(clientId);
    const client = await tx.getClient(clientId);
    const version = (await tx.listVersions(clientId)).find((candidate) => candidate.id === found.id);
    if (!client || !version) return false;
    const now = deps.clock.now();
    const target = { accountId: client.accountId, clientId: client.id, versionId: version.id };
    if (versionVerdict(version, now) !== 'ok') {
      await recordLeak(deps, tx, match, target, {
        revoked: false,
        state: versionVerdict(version, now) === 'expired' ? 'expired' : effectiveState(version, now),
      });
      return false;
    }
    await tx.updateVersion(revokeVersion(version, now));
    await tx.recordChange(client.id, now);
    // Apps holding a key account's secret break with it: the notice names them (seed 002).
    const apps =
      client.profile === 'apikey' ? await tx.listApps(client.accountId, { keyAccountId: client.id, limit: MAX_APPS_LISTED }) : [];
    const appList = apps.map((app) => ({ appId: app.id, name: app.name }));
    await recordLeak(deps, tx, match, { ...target, data: { apps: appList } }, { revoked: true, state: effectiveState(version, now) });
    await notifyLeak(deps, tx, match, {
      accountId: client.accountId,
      subject: `Leaked secret revoked for ${client.name}`,
      what: `Secret version ${version.id} of client ${client.id} (${client.name})`,
      clientId: client.id,
      versionId: version.id,
      ...(apps.length > 0
        ? {
            note: `Apps that used this key account: ${apps.map((app) => `${app.name} (${app.id})`).join(', ')}; give them the new secret (rotate with apps).`,
          }
        : {}),
      details: { apps: appList },
    });
    return true;
  });
  if (revoked) deps.credentials.invalidate(clientId);
  return 'true_positive';
}

/** `rk_tok_`: an integration record's access token (tba); revoked like DELETE …/tokens/{tokenId}. */
async function leakedTokenSecret(deps: CoreDeps, match: Match): Promise<LeakLabel> {
  const found = await deps.store.findTokenBySecretHash(match.secretHash);
  if (!found || !mayAct(match.reporter, found.accountId)) return 'false_positive';
  const consumer = await deps.store.transaction(async (tx) => {
    await tx.lockClient(found.clientId);
    const token = await tx.getToken(found.id);
    if (!token) return null;
    const now = deps.clock.now();
    const target = { accountId: token.accountId, clientId: token.clientId, data: { tokenId: token.id, memberId: token.memberId } };
    if (token.revokedAt !== null) {
      await recordLeak(deps, tx, match, target, { revoked: false, state: 'revoked' });
      return null;
    }
    await tx.revokeTokens([token.id], now, 'leaked');
    await tx.recordChange(token.consumerClientId, now);
    await recordLeak(deps, tx, match, target, { revoked: true, state: 'active' });
    const client = await tx.getClient(token.clientId);
    await notifyLeak(deps, tx, match, {
      accountId: token.accountId,
      subject: `Leaked access token revoked for ${client?.name ?? token.clientId}`,
      what: `Access token ${token.id} of integration ${token.clientId}${client ? ` (${client.name})` : ''}, issued for member ${token.memberId}`,
      clientId: token.clientId,
      details: { tokenId: token.id },
    });
    return token.consumerClientId;
  });
  if (consumer !== null) deps.credentials.invalidate(consumer);
  return 'true_positive';
}

/** `rk_adm_`: a member's admin token; read from the store on every request, so revoking it is enough. */
async function leakedAdminToken(deps: CoreDeps, match: Match): Promise<LeakLabel> {
  const found = await deps.store.findAdminTokenByHash(match.secretHash);
  if (!found || !mayAct(match.reporter, found.accountId)) return 'false_positive';
  await deps.store.transaction(async (tx) => {
    await tx.lockAccount(found.accountId);
    const token = await tx.getAdminToken(found.accountId, found.id);
    if (!token) return;
    const now = deps.clock.now();
    const target = { accountId: token.accountId, data: { tokenId: token.id, memberId: token.memberId } };
    const state = token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && token.expiresAt <= now ? 'expired' : 'active';
    if (state !== 'active') {
      await recordLeak(deps, tx, match, target, { revoked: false, state });
      return;
    }
    await tx.updateAdminToken({ ...token, revokedAt: now });
    await recordLeak(deps, tx, match, target, { revoked: true, state });
    await notifyLeak(deps, tx, match, {
      accountId: token.accountId,
      subject: `Leaked admin token revoked: ${token.name}`,
      what: `Admin token ${token.id} (${token.name}) of member ${token.memberId}`,
      details: { tokenId: token.id, memberId: token.memberId },
    });
  });
  return 'true_positive';
}

/**
 * `rk_app_`: an app's token. Only its hash is kept and a new token replaces it, so a reported token
 * is either the app's live one (revoked: the app has none until a new one is issued) or unknown.
 */
async function leakedAppToken(deps: CoreDeps, match: Match): Promise<LeakLabel> {
  const found = await deps.store.findAppByTokenHash(match.secretHash);
  if (!found || !mayAct(match.reporter, found.accountId)) return 'false_positive';
  await deps.store.transaction(async (tx) => {
    await tx.lockAccount(found.accountId);
    const app = await tx.getApp(found.id);
    if (!app) return;
    const now = deps.clock.now();
    const target = { accountId: app.accountId, clientId: app.apiKeyId, data: { appId: app.id, appName: app.name } };
    if (app.tokenHash !== match.secretHash) {
      await recordLeak(deps, tx, match, target, { revoked: false, state: 'replaced' });
      return;
    }
    await tx.updateApp({ ...app, tokenHash: null, tokenCreatedAt: null, updatedAt: now });
    await recordLeak(deps, tx, match, target, { revoked: true, state: 'active' });
    await notifyLeak(deps, tx, match, {
      accountId: app.accountId,
      subject: `Leaked app token revoked for app ${app.name}`,
      what: `The app token of app ${app.id} (${app.name})`,
      details: { apps: [{ appId: app.id, name: app.name }] },
    });
  });
  return 'true_positive';
}

/**
 * `rk_op_`: an operator token belongs to no account, so only a reporter key counts it; the
 * operator audit log records it (there is no account to notify).
 */
async function leakedOperatorToken(deps: CoreDeps, match: Match): Promise<LeakLabel> {
  if (match.reporter.type !== 'reporter_key') return 'false_positive';
  const reporter = match.reporter;
  const found = await deps.store.findOperatorTokenByHash(match.secretHash);
  if (!found) return 'false_positive';
  await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const state = found.revokedAt !== null ? 'revoked' : found.expiresAt !== null && found.expiresAt <= now ? 'expired' : 'active';
    const revoked = state === 'active' && (await tx.revokeOperatorToken(found.id, now));
    await tx.insertOperatorEvent({
      id: newId('evt', deps.random),
      at: now,
      type: 'operator_token.leaked',
      actor: { type: 'leak_reporter', id: reporter.keyId },
      accountId: null,
      data: { ...match.facts, tokenId: found.id, outcome: revoked ? 'revoked' : 'recorded', state },
    });
  });
  return 'true_positive';
}
