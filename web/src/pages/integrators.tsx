import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type ResponseOf } from '../api/client';
import { ClientStatus, RotationDueBadge } from '../components/badge';
import { ErrorMessage } from '../components/error-message';
import { ListFooter } from '../components/list-footer';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatAgo, formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useClientList } from '../lib/use-client-list';

type Created = ResponseOf<'post', '/v1/clients'>;

/** Seed 003's integrators: partners that sign every request and can rotate their own secret with a grace period. */
export function IntegratorsPage(): ReactNode {
  const { can } = useSession();
  const list = useClientList('integrator');
  const [created, setCreated] = useShownOnce<Created>();
  const [name, setName] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const now = Date.now();

  const create = useAction(async () => {
    setCreated(
      await request('post', '/v1/clients', {
        body: {
          profile: 'integrator',
          name: name.trim(),
          ...(contactName.trim() ? { contactName: contactName.trim() } : {}),
          ...(contactEmail.trim() ? { email: contactEmail.trim() } : {}),
        },
      }),
    );
    setName('');
    setContactName('');
    setContactEmail('');
    list.reload();
  });

  return (
    <Page
      title="Integrators"
      subtitle="Partner integrations sign every request (RFC 9421) with their secret and rotate it themselves through POST /v1/integrator/regenerate-secret, with up to an hour of grace."
    >
      {created && (
        <SecretReveal
          title={`New integrator: ${created.name}`}
          fields={[
            { label: 'Client ID', value: created.id },
            { label: 'Client Secret', value: created.secret ?? '' },
          ]}
        >
          <p className="muted">
            Hand both to the partner over a channel you trust. They sign requests with the secret; it never travels in a request.
          </p>
        </SecretReveal>
      )}
      <Section title="Integrators">
        {list.error && <ErrorMessage error={list.error} />}
        {!list.items && !list.error && <Loading />}
        {list.items && list.items.length === 0 && <p className="empty">No integrators yet.</p>}
        {list.items && list.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client ID</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Versions accepted</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((client) => {
                  const accepted = client.versions.filter((version) => version.state === 'current' || version.state === 'previous');
                  const lastUsed = client.versions
                    .map((version) => version.lastUsedAt)
                    .filter((at): at is string => at !== undefined)
                    .sort()
                    .pop();
                  return (
                    <tr key={client.id}>
                      <td>
                        <Link to={`/clients/${encodeURIComponent(client.id)}`}>{client.name}</Link>
                      </td>
                      <td>
                        <code className="id">{client.id}</code>
                      </td>
                      <td>{[client.contactName, client.email].filter(Boolean).join(' · ') || '—'}</td>
                      <td>{accepted.length}</td>
                      <td title={lastUsed ? formatDate(lastUsed) : undefined}>{formatAgo(lastUsed, now)}</td>
                      <td>
                        <ClientStatus client={client} />
                        <RotationDueBadge client={client} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {list.items && (
          <ListFooter
            count={list.items.length}
            noun="integrators"
            hasMore={list.hasMore}
            isLoading={list.isLoading}
            onMore={list.loadMore}
          />
        )}
      </Section>
      {can('credentials.manage') && (
        <Section title="New integrator">
          <form
            className="form"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void create.run();
            }}
          >
            <div className="form-row">
              <div className="field">
                <label htmlFor="int-name">Integrator name</label>
                <input id="int-name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="int-contact">Contact person</label>
                <input id="int-contact" maxLength={200} value={contactName} onChange={(event) => setContactName(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="int-email">Contact email</label>
                <input
                  id="int-email"
                  type="email"
                  maxLength={320}
                  value={contactEmail}
                  onChange={(event) => setContactEmail(event.target.value)}
                />
              </div>
            </div>
            <ErrorMessage error={create.error} />
            <div>
              <button type="submit" className="button button-primary" disabled={create.isBusy}>
                Create integrator
              </button>
            </div>
          </form>
        </Section>
      )}
    </Page>
  );
}
