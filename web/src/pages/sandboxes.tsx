import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type ResponseOf } from '../api/client';
import type { RefreshResult, SandboxView } from '../api/types';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { SANDBOX_ID } from '../components/layout';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate, plural } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { useMe, useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';

type CreatedSandbox = ResponseOf<'post', '/v1/accounts/{id}/sandboxes'>;

/** Signs in to another account of the same people (parent ↔ sandbox): members and passwords are copied into sandboxes. */
function SwitchDialog({ target, onClose }: { target: string | undefined; onClose: () => void }): ReactNode {
  const me = useMe();
  const session = useSession();
  const [email, setEmail] = useState(me.email);
  const [password, setPassword] = useState('');
  return (
    <ConfirmDialog
      open={target !== undefined}
      title={`Switch to ${target ?? ''}`}
      confirmLabel="Switch"
      cancelLabel="Cancel"
      onCancel={() => {
        setPassword('');
        onClose();
      }}
      onConfirm={async () => {
        if (!target) return;
        await session.signIn({ accountId: target, email: email.trim(), password });
        setPassword('');
        onClose();
        navigate('/');
      }}
    >
      <p>
        Sign in to <strong className="target">{target}</strong> with your member there (sandboxes copy their parent's members and
        passwords). This browser then works in {target}.
      </p>
      <div className="field">
        <label htmlFor="switch-email">Email address</label>
        <input
          id="switch-email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="switch-password">Your password</label>
        <input
          id="switch-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </div>
    </ConfirmDialog>
  );
}

function RefreshOutcome({ result, adminToken }: { result: RefreshResult; adminToken: string | undefined }): ReactNode {
  const deleted = result.deleted;
  return (
    <Section title={`Refreshed ${result.sandboxId}`}>
      <p className="notice notice-success" role="status">
        {result.sandboxId} now has copies of {result.parentId}'s {plural(result.clients.length, 'client')} and{' '}
        {plural(result.apps.length, 'app')} under new ids ({formatDate(result.refreshedAt)}). Deleted:{' '}
        {plural(deleted.secretVersions, 'secret version')}, {plural(deleted.tokens, 'token')}, {plural(deleted.adminTokens, 'admin token')},{' '}
        {plural(deleted.appTokens, 'app token')}, {plural(deleted.sessions, 'session')}.
      </p>
      <h3>Id mapping</h3>
      {result.clients.length === 0 ? (
        <p className="empty">The parent has no clients to copy.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Client id mapping">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Profile</th>
                <th scope="col">Id in {result.parentId}</th>
                <th scope="col">New id in {result.sandboxId}</th>
                <th scope="col">Needs</th>
              </tr>
            </thead>
            <tbody>
              {result.clients.map((client) => (
                <tr key={client.clientId} data-parent-id={client.parentClientId} data-sandbox-id={client.clientId}>
                  <td>{client.name}</td>
                  <td>{client.profile}</td>
                  <td>
                    <code className="id">{client.parentClientId}</code>
                  </td>
                  <td>
                    <code className="id">{client.clientId}</code>
                  </td>
                  <td>{client.profile === 'apikey' && client.name === 'Portal key account' ? 'Registration' : 'New credentials'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.apps.length > 0 && (
        <div className="table-wrap">
          <table aria-label="App id mapping">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Id in {result.parentId}</th>
                <th scope="col">New id in {result.sandboxId}</th>
              </tr>
            </thead>
            <tbody>
              {result.apps.map((app) => (
                <tr key={app.appId}>
                  <td>{app.name}</td>
                  <td>
                    <code className="id">{app.parentAppId}</code>
                  </td>
                  <td>
                    <code className="id">{app.appId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.skipped.length > 0 && (
        <p className="notice notice-warn">
          Not copied: {result.skipped.map((item) => `${item.parentClientId} (${item.reason})`).join('; ')}.
        </p>
      )}
      <p>
        Every client in the sandbox answers <code>no_credentials</code> until it gets new credentials:{' '}
        <Link to="/register">re-register the sandbox</Link> with Company ID <strong>{result.sandboxId}</strong>, and regenerate the others
        from inside the sandbox.
      </p>
      {adminToken && (
        <SecretReveal
          title={`Admin token for your member in ${result.sandboxId}`}
          fields={[{ label: 'Sandbox Admin Token', value: adminToken }]}
        />
      )}
    </Section>
  );
}

/** Sandboxes (seed 001): create, refresh with confirmation and id mapping, switch between parent and sandbox. */
export function SandboxesPage(): ReactNode {
  const me = useMe();
  const parent = SANDBOX_ID.exec(me.accountId)?.[1];
  const sandboxes = useResource(parent ? null : `sandboxes:${me.accountId}`, () =>
    request('get', '/v1/accounts/{id}/sandboxes', { path: { id: me.accountId } }),
  );
  const [created, setCreated] = useShownOnce<CreatedSandbox>();
  const [refreshed, setRefreshed] = useShownOnce<RefreshResult>();
  const [name, setName] = useState('');
  const [refreshing, setRefreshing] = useState<SandboxView | undefined>(undefined);
  const [switchTo, setSwitchTo] = useState<string | undefined>(undefined);

  const create = useAction(async () => {
    setCreated(
      await request('post', '/v1/accounts/{id}/sandboxes', { path: { id: me.accountId }, body: name.trim() ? { name: name.trim() } : {} }),
    );
    setName('');
    await sandboxes.reload();
  });

  if (parent) {
    return (
      <Page title="Sandboxes" subtitle={`You are working in ${me.accountId}, a sandbox of ${parent}.`}>
        <Section title="This is a sandbox">
          <p>
            Sandboxes are created and refreshed from their parent account. A refresh replaces every client here with a copy of {parent}'s
            configuration under new ids and deletes every access key.
          </p>
          <button type="button" className="button button-primary" onClick={() => setSwitchTo(parent)}>
            Switch to {parent}
          </button>
        </Section>
        <SwitchDialog target={switchTo} onClose={() => setSwitchTo(undefined)} />
      </Page>
    );
  }

  const items = sandboxes.data?.items ?? [];
  return (
    <Page
      title="Sandboxes"
      subtitle="Sandbox accounts copy this account's members and roles. Refreshing one replaces its clients with copies of this account's and deletes every access key in it."
    >
      {created && (
        <SecretReveal
          title={`Admin token for your member in ${created.accountId}`}
          fields={[{ label: 'Sandbox Admin Token', value: created.adminToken }]}
        />
      )}
      {refreshed && <RefreshOutcome result={refreshed} adminToken={refreshed.adminToken} />}
      <Section title="Sandboxes">
        {sandboxes.error && <ErrorMessage error={sandboxes.error} />}
        {!sandboxes.data && !sandboxes.error && <Loading />}
        {sandboxes.data && items.length === 0 && <p className="empty">No sandboxes yet.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Sandbox account</th>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((sandbox) => (
                  <tr key={sandbox.accountId}>
                    <td>
                      <code>{sandbox.accountId}</code>
                    </td>
                    <td>{sandbox.name}</td>
                    <td>{formatDate(sandbox.createdAt)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setRefreshing(sandbox)}
                        aria-label={`Refresh ${sandbox.accountId}`}
                      >
                        Refresh
                      </button>
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        onClick={() => setSwitchTo(sandbox.accountId)}
                        aria-label={`Switch to ${sandbox.accountId}`}
                      >
                        Switch to
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form
          className="form form-inline subform"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void create.run();
          }}
        >
          <div className="field">
            <label htmlFor="sandbox-name">Sandbox name (optional)</label>
            <input
              id="sandbox-name"
              maxLength={200}
              value={name}
              placeholder={`${me.accountId} sandbox`}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <button type="submit" className="button button-primary" disabled={create.isBusy}>
            Create sandbox
          </button>
        </form>
        <ErrorMessage error={create.error} />
      </Section>
      <ConfirmDialog
        open={refreshing !== undefined}
        title="Refresh sandbox"
        onCancel={() => setRefreshing(undefined)}
        onConfirm={async () => {
          if (!refreshing) return;
          setRefreshed(await request('post', '/v1/accounts/{id}/refresh', { path: { id: refreshing.accountId }, body: {} }));
          setCreated(undefined);
          setRefreshing(undefined);
        }}
        isDanger
      >
        {refreshing && (
          <>
            <p>
              Refresh <strong className="target">{refreshing.accountId}</strong> from {me.accountId}?
            </p>
            <ul>
              <li>Its clients and apps are replaced by copies of {me.accountId}'s, under new ids.</li>
              <li>
                Every access key in it is deleted: secret versions, tokens, admin tokens, app tokens and sessions. The previously registered
                credentials stop working.
              </li>
              <li>
                Its clients answer <code>no_credentials</code> until re-registered or regenerated. Its administrators are emailed.
              </li>
            </ul>
          </>
        )}
      </ConfirmDialog>
      <SwitchDialog target={switchTo} onClose={() => setSwitchTo(undefined)} />
    </Page>
  );
}
