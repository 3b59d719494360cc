import { useEffect, useState, type ReactNode } from 'react';
import { request } from '../api/client';
import type { ClientView, VersionView } from '../api/types';
import { ClientStatus, RotationDueBadge, needsCredentials } from '../components/badge';
import { DeleteClientDialog, RegenerateDialog, ResetDialog, RevokeVersionDialog } from '../components/client-dialogs';
import { ConfirmDialog } from '../components/dialog';
import { useActiveNav } from '../components/layout';
import { ErrorMessage } from '../components/error-message';
import { AppsOfKeyAccountSection, GuidedRotation, StaleUsageSection, useAppsOfKeyAccount } from '../components/key-account-sections';
import { Loading, Page, Section } from '../components/page';
import { RotationHistorySection } from '../components/rotation-history';
import { RotationPolicySection } from '../components/rotation-policy-section';
import { SecretReveal, useShownOnce, type RevealedField } from '../components/secret-reveal';
import { BundlesSection, TokensSection } from '../components/tba-sections';
import { UsageChart } from '../components/usage-chart';
import { VersionTimeline } from '../components/version-timeline';
import { formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useResource } from '../lib/use-resource';

const LISTS: Record<ClientView['profile'], { to: string; label: string; kind: string }> = {
  tba: { to: '/integrations', label: 'Manage Integrations', kind: 'Integration record' },
  apikey: { to: '/api-keys', label: 'API Keys', kind: 'Key account' },
  oauth: { to: '/api-credentials', label: 'API Credentials', kind: 'Client application' },
  integrator: { to: '/integrators', label: 'Integrators', kind: 'Integrator' },
};

type DialogName = 'regenerate' | 'reset' | 'delete' | 'unlock' | 'rotate';

interface Revealed {
  title: string;
  fields: RevealedField[];
  copyLabel: string;
  affectedApps?: Array<{ appId: string; name: string }>;
  oldSecretExpiresAt?: string;
}

function Facts({ rows }: { rows: Array<[string, ReactNode]> }): ReactNode {
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function lockoutPolicy(client: ClientView): string {
  const duration = client.lockSeconds
    ? `for ${Math.round(client.lockSeconds / 60)} min`
    : 'until an administrator unlocks it or the secret is regenerated';
  const sourceMinutes = Math.round((client.sourceLockSeconds ?? 900) / 60);
  const scope =
    client.lockScope === 'keyAccount'
      ? `the whole key account is locked ${duration}`
      : `the failing address is locked for ${sourceMinutes} min` +
        (client.lockScope === 'source'
          ? ''
          : `; after ${client.accountLockFailures ?? 50} failures from ${client.accountLockSources ?? 3} or more addresses within ${Math.round((client.lockWindowSeconds ?? 900) / 60)} min the whole key account is locked ${duration}`);
  return `After ${client.maxFailedAttempts ?? 5} failed attempts ${scope}. Failures from one address are throttled above ${client.throttleFailuresPerMinute ?? 30} a minute. Retired secrets ${client.staleSecretsCount ? 'count' : 'do not count'} as failures.`;
}

/** One client, whatever its profile: details, its actions, the version timeline and its traffic. */
export function ClientPage({ id }: { id: string }): ReactNode {
  const { can } = useSession();
  const resource = useResource(`client:${id}`, () => request('get', '/v1/clients/{id}', { path: { id } }));
  const [revealed, setRevealed] = useShownOnce<Revealed>();
  const [dialog, setDialog] = useState<DialogName | undefined>(undefined);
  const [revoking, setRevoking] = useState<VersionView | undefined>(undefined);
  const [isEditing, setEditing] = useState(false);
  const [deleted, setDeleted] = useState(false);
  const client = resource.data;
  const reload = resource.reload;
  useActiveNav(client ? LISTS[client.profile].to : undefined);

  // Keep last-use times and grace states fresh while the page is open and nothing is being confirmed.
  useEffect(() => {
    if (dialog || revoking) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, 15_000);
    return () => clearInterval(timer);
  }, [dialog, revoking, reload]);

  useEffect(() => {
    if (client) document.title = `${client.name} · Rekey`;
  }, [client]);

  if (!client) {
    return (
      <Page title="Client">
        {resource.error ? (
          <ErrorMessage error={resource.error} title={resource.error.status === 404 ? 'No such client in this account' : undefined} />
        ) : (
          <Loading />
        )}
      </Page>
    );
  }

  const list = LISTS[client.profile];
  const isActive = client.state === 'active';
  const canManage = can('credentials.manage') && isActive;
  const closeDialog = (): void => setDialog(undefined);
  const isOauth = client.profile === 'oauth';
  const deleteLabel = isOauth ? 'Delete' : `Delete ${list.kind.toLowerCase()}`;

  return (
    <Page
      title={client.name}
      subtitle={
        <>
          <Link to={list.to}>{list.label}</Link> · {list.kind} <code className="id">{client.id}</code> · <ClientStatus client={client} />
          <RotationDueBadge client={client} />
        </>
      }
    >
      {deleted && (
        <p className="notice notice-success" role="status">
          Deleted: every secret version was revoked. The record stays for the audit trail.
        </p>
      )}
      {revealed && (
        <SecretReveal title={revealed.title} fields={revealed.fields} copyLabel={revealed.copyLabel}>
          {revealed.oldSecretExpiresAt && (
            <p>The old secret keeps working until {formatDate(revealed.oldSecretExpiresAt)}: the timeline below counts down.</p>
          )}
          {revealed.affectedApps && revealed.affectedApps.length > 0 && (
            <div className="notice notice-warn">
              <p>
                <strong>Update the apps that use this key account:</strong> open each app → Configuration → App Secrets → the key account's
                name → Secret Value → Update, then Details → Deploy.
              </p>
              <ul>
                {revealed.affectedApps.map((app) => (
                  <li key={app.appId}>
                    <Link to={`/apps/${encodeURIComponent(app.appId)}`}>{app.name}</Link>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </SecretReveal>
      )}

      {client.profile === 'tba' &&
        (isEditing ? (
          <TbaEditSection client={client} onReset={() => setDialog('reset')} onDone={() => setEditing(false)} />
        ) : (
          <Section
            title="Integration record"
            actions={
              canManage ? (
                <button type="button" className="button" onClick={() => setEditing(true)}>
                  Edit
                </button>
              ) : undefined
            }
          >
            <Facts
              rows={[
                ['Name', client.name],
                ['Record ID', <code className="id">{client.id}</code>],
                ['Consumer key', <code className="id">{client.consumerKey ?? '—'}</code>],
                ['Token-based authentication', client.tokenBasedAuth === false ? 'Off' : 'On'],
                ['Signature methods', client.allowHmacSha1 ? 'HMAC-SHA256, HMAC-SHA1' : 'HMAC-SHA256'],
                [
                  'Source',
                  client.bundleId ? (
                    <>
                      Installed from bundle <code>{client.bundleId}</code> of account <strong>{client.ownerAccountId}</strong>
                    </>
                  ) : (
                    'Created in this account'
                  ),
                ],
                ['Created', formatDate(client.createdAt)],
              ]}
            />
          </Section>
        ))}

      {client.profile === 'apikey' && (
        <Section
          title="API Key Details"
          actions={
            canManage ? (
              <>
                <button
                  type="button"
                  className="button button-primary"
                  onClick={() => setDialog('regenerate')}
                  disabled={client.registrationOnly}
                >
                  Regenerate API Key Secret
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() => setDialog('unlock')}
                  disabled={!client.locked && !client.failedAttempts && !client.lockedSources}
                >
                  Unlock
                </button>
                {!client.registrationOnly && (
                  <button type="button" className="button" onClick={() => setDialog('rotate')}>
                    Rotate with apps
                  </button>
                )}
              </>
            ) : undefined
          }
        >
          {client.registrationOnly && (
            <p className="notice notice-info">
              This is the portal key account: only the registration (<Link to="/register">/register</Link>) replaces its secret.
            </p>
          )}
          {client.locked && (
            <p className="notice notice-error">
              This key account is locked: every attempt is refused, even with the right secret, until it is unlocked or its secret is
              regenerated.
            </p>
          )}
          <Facts
            rows={[
              ['API Key ID', <code className="id">{client.id}</code>],
              ['Name', client.name],
              ['Locked', client.locked ? 'True' : 'False'],
              ['Failed attempts', String(client.failedAttempts ?? 0)],
              ['Locked addresses', String(client.lockedSources ?? 0)],
              ['Lockout policy', lockoutPolicy(client)],
              ...(client.registrationOnly
                ? [['Scheduled rotation', 'None: the portal key account is rotated by registration'] as [string, string]]
                : []),
              ['Created', formatDate(client.createdAt)],
            ]}
          />
        </Section>
      )}

      {isOauth && (
        <Section
          title="Client application"
          actions={
            canManage ? (
              <>
                <button type="button" className="button button-primary" onClick={() => setDialog('regenerate')}>
                  Renew
                </button>
                <button type="button" className="button button-danger-quiet" onClick={() => setDialog('delete')}>
                  Delete
                </button>
              </>
            ) : undefined
          }
        >
          <Facts
            rows={[
              ['Client ID', <code className="id">{client.id}</code>],
              ['Name', client.name],
              ['Contact email', client.email ?? '—'],
              ['Application', client.application ?? '—'],
              ['Allowed scopes', client.allowedScopes && client.allowedScopes.length > 0 ? client.allowedScopes.join(' ') : 'none'],
              ['Created', formatDate(client.createdAt)],
            ]}
          />
        </Section>
      )}

      {client.profile === 'integrator' && (
        <Section
          title="Integrator"
          actions={
            canManage ? (
              <button type="button" className="button button-primary" onClick={() => setDialog('regenerate')}>
                Regenerate secret
              </button>
            ) : undefined
          }
        >
          <Facts
            rows={[
              ['Client ID', <code className="id">{client.id}</code>],
              ['Name', client.name],
              ['Contact', [client.contactName, client.email].filter(Boolean).join(' · ') || '—'],
              [
                'Self-service rotation',
                'POST /v1/integrator/regenerate-secret, signed with the current secret, with oldSecretValidForSeconds 0–3600',
              ],
              ['Created', formatDate(client.createdAt)],
            ]}
          />
        </Section>
      )}

      {!isEditing && (
        <>
          {needsCredentials(client) && (
            <p className="notice notice-warn">
              No secret version accepts requests: this client answers <code>no_credentials</code> until it is{' '}
              {client.registrationOnly ? 'registered again' : 'regenerated'}.
            </p>
          )}
          <Section title="Secret versions">
            <VersionTimeline client={client} onRevoke={canManage ? setRevoking : undefined} onGraceEnded={() => void reload()} />
          </Section>
          {!client.registrationOnly && (isActive || client.rotationPolicy) && (
            <>
              <RotationPolicySection client={client} canManage={canManage} onChanged={resource.set} />
              <RotationHistorySection client={client} />
            </>
          )}
          <Section title="Verifications per hour">
            <UsageChart clientId={client.id} versions={client.versions} />
          </Section>
          {client.profile === 'apikey' && (
            <KeyAccountSections client={client} dialog={dialog} onClose={closeDialog} onChanged={() => void reload()} />
          )}
          {client.profile === 'tba' && client.tokenBasedAuth !== false && <TokensSection client={client} />}
          {client.profile === 'tba' && !client.bundleId && <BundlesSection client={client} />}
          {canManage && !isOauth && (
            <Section title="Delete">
              <p className="muted">
                Deleting revokes every secret version{client.profile === 'tba' ? ' and token' : ''} at once. The record stays, marked
                deleted, for the audit trail.
              </p>
              <button type="button" className="button button-danger-quiet" onClick={() => setDialog('delete')}>
                {deleteLabel}
              </button>
            </Section>
          )}
        </>
      )}

      <RegenerateDialog
        client={client}
        open={dialog === 'regenerate'}
        onCancel={closeDialog}
        onDone={(result) => {
          setDialog(undefined);
          setRevealed({
            title: client.profile === 'apikey' ? 'API Key Credentials' : isOauth ? 'Renewed API credentials' : 'New integrator secret',
            fields:
              client.profile === 'apikey'
                ? [
                    { label: 'API Key ID', value: client.id },
                    { label: 'API Key Secret', value: result.secret },
                  ]
                : [
                    { label: 'Client ID', value: client.id },
                    { label: 'Client Secret', value: result.secret },
                  ],
            copyLabel: isOauth ? 'Copy' : 'Copy to Clipboard',
            ...(result.affectedApps ? { affectedApps: result.affectedApps } : {}),
            ...(result.oldSecretExpiresAt ? { oldSecretExpiresAt: result.oldSecretExpiresAt } : {}),
          });
          void reload();
        }}
      />
      {client.profile === 'tba' && (
        <ResetDialog
          client={client}
          open={dialog === 'reset'}
          onCancel={closeDialog}
          onDone={(result) => {
            setDialog(undefined);
            setEditing(false);
            setRevealed({
              title: 'New consumer key and secret',
              fields: [
                { label: 'Consumer Key', value: result.consumerKey },
                { label: 'Consumer Secret', value: result.consumerSecret },
              ],
              copyLabel: 'Copy to Clipboard',
            });
            void reload();
          }}
        />
      )}
      <DeleteClientDialog
        client={client}
        open={dialog === 'delete'}
        onCancel={closeDialog}
        onDone={() => {
          setDialog(undefined);
          setRevealed(undefined);
          setDeleted(true);
          void reload();
        }}
      />
      <RevokeVersionDialog
        client={client}
        version={revoking}
        onCancel={() => setRevoking(undefined)}
        onDone={() => {
          setRevoking(undefined);
          void reload();
        }}
      />
      {client.profile === 'apikey' && (
        <ConfirmDialog
          open={dialog === 'unlock'}
          title="Unlock key account"
          onCancel={closeDialog}
          onConfirm={async () => {
            resource.set(await request('post', '/v1/clients/{id}/unlock', { path: { id: client.id }, body: {} }));
            setDialog(undefined);
          }}
        >
          <p>
            Unlock <strong className="target">{client.name}</strong> (<code>{client.id}</code>)? Its failed-attempt count goes back to zero
            and every locked address is released. If someone is still guessing, it will lock again.
          </p>
        </ConfirmDialog>
      )}
    </Page>
  );
}

/** Seed 000's edit mode: the record's settings and, for token-based records created here, Reset Credentials. */
function TbaEditSection({ client, onReset, onDone }: { client: ClientView; onReset: () => void; onDone: () => void }): ReactNode {
  const canReset = client.tokenBasedAuth !== false && !client.bundleId && client.state === 'active';
  return (
    <Section
      title="Edit integration record"
      actions={
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      }
    >
      <Facts
        rows={[
          ['Name', client.name],
          ['Consumer key', <code className="id">{client.consumerKey ?? '—'}</code>],
          ['Token-based authentication', client.tokenBasedAuth === false ? 'Off' : 'On'],
        ]}
      />
      <p className="muted">Settings are fixed when a record is created; here you can replace its credentials.</p>
      <div className="edit-credentials">
        <h3>Client credentials</h3>
        {canReset && (
          <>
            <p>
              Reset issues a new consumer key and consumer secret. The old pair stops working at once; tokens keep working, with the new
              pair only. The new values are shown once, on this page.
            </p>
            <button type="button" className="button button-danger" onClick={onReset}>
              Reset Credentials
            </button>
          </>
        )}
        {client.bundleId && (
          <p className="notice notice-info">
            This record was installed through a bundle from account <strong>{client.ownerAccountId}</strong>. Only an authorized member of{' '}
            {client.ownerAccountId}, where the record was created, can reset its credentials.
          </p>
        )}
        {!client.bundleId && client.tokenBasedAuth === false && (
          <p className="notice notice-info">
            This record does not use token-based authentication, so it has no consumer credentials to reset.
          </p>
        )}
      </div>
    </Section>
  );
}

function KeyAccountSections({
  client,
  dialog,
  onClose,
  onChanged,
}: {
  client: ClientView;
  dialog: DialogName | undefined;
  onClose: () => void;
  onChanged: () => void;
}): ReactNode {
  const apps = useAppsOfKeyAccount(client);
  return (
    <>
      <GuidedRotation
        client={client}
        apps={apps.data?.items ?? []}
        open={dialog === 'rotate'}
        onClose={onClose}
        onFinished={() => {
          onChanged();
          void apps.reload();
        }}
      />
      <AppsOfKeyAccountSection client={client} apps={apps} />
      <StaleUsageSection client={client} />
    </>
  );
}
