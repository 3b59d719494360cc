import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type ResponseOf } from '../api/client';
import { ClientStatus, RotationDueBadge } from '../components/badge';
import { ErrorMessage } from '../components/error-message';
import { ListFooter } from '../components/list-footer';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useClientList } from '../lib/use-client-list';

type Created = ResponseOf<'post', '/v1/clients'>;

/** Seed 000's "Manage Integrations": integration records (tba) with token-based authentication. */
export function IntegrationsPage(): ReactNode {
  const { can } = useSession();
  const list = useClientList('tba');
  const [created, setCreated] = useShownOnce<Created>();
  const [name, setName] = useState('');
  const [tokenBasedAuth, setTokenBasedAuth] = useState(true);
  const [allowHmacSha1, setAllowHmacSha1] = useState(false);
  const [bundleId, setBundleId] = useState('');

  const create = useAction(async () => {
    setCreated(await request('post', '/v1/clients', { body: { profile: 'tba', name: name.trim(), tokenBasedAuth, allowHmacSha1 } }));
    setName('');
    list.reload();
  });
  const install = useAction(async () => {
    const record = await request('post', '/v1/bundles/{bundleId}/install', { path: { bundleId: bundleId.trim() }, body: {} });
    navigate(`/clients/${encodeURIComponent(record.id)}`);
  });

  return (
    <Page
      title="Manage Integrations"
      subtitle="Integration records sign requests with OAuth 1.0a token-based authentication: a consumer key and secret, plus tokens issued to members."
    >
      {created && (
        <SecretReveal
          title={`New integration: ${created.name}`}
          fields={[
            { label: 'Consumer Key', value: created.consumerKey ?? '' },
            { label: 'Consumer Secret', value: created.consumerSecret ?? '' },
          ]}
        >
          <p>
            <Link to={`/clients/${encodeURIComponent(created.id)}`}>Open {created.name}</Link> to issue tokens (leaving this page discards
            the secret).
          </p>
        </SecretReveal>
      )}
      <Section title="Integration records">
        {list.error && <ErrorMessage error={list.error} />}
        {!list.items && !list.error && <Loading />}
        {list.items && list.items.length === 0 && (
          <p className="empty">No integration records yet. Create one below, or install a bundle another account published.</p>
        )}
        {list.items && list.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Consumer key</th>
                  <th scope="col">Token-based auth</th>
                  <th scope="col">Source</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((client) => (
                  <tr key={client.id}>
                    <td>
                      <Link to={`/clients/${encodeURIComponent(client.id)}`}>{client.name}</Link>
                    </td>
                    <td>
                      <code className="id">{client.consumerKey ?? '—'}</code>
                    </td>
                    <td>{client.tokenBasedAuth === false ? 'Off' : 'On'}</td>
                    <td>
                      {client.bundleId ? (
                        <>
                          Bundle from <strong>{client.ownerAccountId}</strong>
                        </>
                      ) : (
                        'This account'
                      )}
                    </td>
                    <td>
                      <ClientStatus client={client} />
                      <RotationDueBadge client={client} />
                    </td>
                    <td>{formatDate(client.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.items && (
          <ListFooter count={list.items.length} noun="records" hasMore={list.hasMore} isLoading={list.isLoading} onMore={list.loadMore} />
        )}
      </Section>

      {can('credentials.manage') && (
        <Section title="New integration record">
          <form
            className="form form-inline"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void create.run();
            }}
          >
            <div className="field">
              <label htmlFor="tba-name">Record name</label>
              <input id="tba-name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
            </div>
            <div className="field field-check">
              <input id="tba-tba" type="checkbox" checked={tokenBasedAuth} onChange={(event) => setTokenBasedAuth(event.target.checked)} />
              <label htmlFor="tba-tba">Token-based authentication</label>
            </div>
            <div className="field field-check">
              <input id="tba-sha1" type="checkbox" checked={allowHmacSha1} onChange={(event) => setAllowHmacSha1(event.target.checked)} />
              <label htmlFor="tba-sha1">Also accept HMAC-SHA1 signatures</label>
            </div>
            <button type="submit" className="button button-primary" disabled={create.isBusy}>
              Create record
            </button>
          </form>
          <ErrorMessage error={create.error} />
        </Section>
      )}

      {can('accounts.manage') && (
        <Section title="Install a bundle">
          <p className="muted">
            Another account can publish one of its records as a bundle. Installing it lets you issue tokens for your own members; only the
            owning account can reset its credentials.
          </p>
          <form
            className="form form-inline"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void install.run();
            }}
          >
            <div className="field">
              <label htmlFor="bundle-id">Bundle ID</label>
              <input id="bundle-id" required value={bundleId} onChange={(event) => setBundleId(event.target.value)} spellCheck={false} />
            </div>
            <button type="submit" className="button" disabled={install.isBusy}>
              Install bundle
            </button>
          </form>
          <ErrorMessage error={install.error} />
        </Section>
      )}
    </Page>
  );
}
