import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type ResponseOf } from '../api/client';
import { StateBadge } from '../components/badge';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';

type CreatedApp = ResponseOf<'post', '/v1/apps'>;

/** Key accounts by id, for showing names where the API gives ids (first 200; beyond that the id is shown). */
export function useKeyAccountNames(): Map<string, string> {
  const keys = useResource('key-account-names', () => request('get', '/v1/clients', { query: { profile: 'apikey', limit: '200' } }));
  return new Map((keys.data?.items ?? []).map((client) => [client.id, client.name]));
}

/** Seed 002's Apps tab: deployable consumers of key accounts, with their App Secrets. */
export function AppsPage(): ReactNode {
  const apps = useResource('apps', () => request('get', '/v1/apps'));
  const keyNames = useKeyAccountNames();
  const [created, setCreated] = useShownOnce<CreatedApp>();
  const [name, setName] = useState('');
  const [apiKeyId, setApiKeyId] = useState('');

  const create = useAction(async () => {
    setCreated(await request('post', '/v1/apps', { body: { name: name.trim(), ...(apiKeyId ? { config: { apiKeyId } } : {}) } }));
    setName('');
    setApiKeyId('');
    await apps.reload();
  });

  const items = apps.data?.items ?? [];
  return (
    <Page
      title="Apps"
      subtitle="Apps authenticate with key accounts. Each holds its App Secrets and fetches them with its own app token while deployed."
    >
      {created && (
        <SecretReveal title={`App token for ${created.name}`} fields={[{ label: 'App Token', value: created.appToken }]}>
          <p className="muted">
            The running app sends it as <code>Authorization: Bearer …</code> to <code>GET /v1/app/credentials</code> to read its App
            Secrets. <Link to={`/apps/${encodeURIComponent(created.id)}`}>Configure {created.name}</Link>.
          </p>
        </SecretReveal>
      )}
      <Section title="Apps">
        {apps.error && <ErrorMessage error={apps.error} />}
        {!apps.data && !apps.error && <Loading />}
        {apps.data && items.length === 0 && <p className="empty">No apps yet.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">App</th>
                  <th scope="col">State</th>
                  <th scope="col">api_key_id</th>
                  <th scope="col">App Secrets</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((app) => {
                  const stale = app.secrets.filter((slot) => slot.versionState !== 'current' && slot.versionState !== 'previous');
                  return (
                    <tr key={app.id}>
                      <td>
                        <Link to={`/apps/${encodeURIComponent(app.id)}`}>{app.name}</Link>
                      </td>
                      <td>
                        <StateBadge state={app.state === 'deployed' ? 'current' : 'retired'}>
                          {app.state === 'deployed' ? 'Deployed' : 'Undeployed'}
                        </StateBadge>
                      </td>
                      <td>
                        {app.config.apiKeyId
                          ? (keyNames.get(app.config.apiKeyId) ?? <code className="id">{app.config.apiKeyId}</code>)
                          : '—'}
                      </td>
                      <td>
                        {app.secrets.length === 0 ? (
                          'none'
                        ) : stale.length > 0 ? (
                          <StateBadge state="warning">
                            {stale.length} of {app.secrets.length} no longer work
                          </StateBadge>
                        ) : (
                          `${app.secrets.length} working`
                        )}
                      </td>
                      <td>{formatDate(app.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="New app">
        <form
          className="form form-inline"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void create.run();
          }}
        >
          <div className="field">
            <label htmlFor="app-name">App name</label>
            <input id="app-name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="app-key">Authenticates with (api_key_id)</label>
            <select id="app-key" value={apiKeyId} onChange={(event) => setApiKeyId(event.target.value)}>
              <option value="">None yet</option>
              {[...keyNames].map(([id, keyName]) => (
                <option key={id} value={id}>
                  {keyName}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-primary" disabled={create.isBusy}>
            Create app
          </button>
        </form>
        <ErrorMessage error={create.error} />
      </Section>
    </Page>
  );
}
