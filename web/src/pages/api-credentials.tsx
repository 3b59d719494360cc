import { useState, type FormEvent, type ReactNode } from 'react';
import { request } from '../api/client';
import type { ClientView } from '../api/types';
import { ClientStatus, RotationDueBadge } from '../components/badge';
import { DeleteClientDialog, RegenerateDialog } from '../components/client-dialogs';
import { ErrorMessage } from '../components/error-message';
import { ListFooter } from '../components/list-footer';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useClientList } from '../lib/use-client-list';

interface Generated {
  client: ClientView;
  secret: string;
  isRenewed: boolean;
}

/**
 * Seed 004: Generate a Client ID and Client Secret (name, email, application), then Renew with a
 * Yes/No confirmation naming the client id, Copy, Delete — all on this page, where the secret was made.
 */
export function ApiCredentialsPage(): ReactNode {
  const { can } = useSession();
  const list = useClientList('oauth');
  const [generated, setGenerated] = useShownOnce<Generated>();
  const [deletedId, setDeletedId] = useState<string | undefined>(undefined);
  const [dialog, setDialog] = useState<'renew' | 'delete' | undefined>(undefined);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [application, setApplication] = useState('');

  const generate = useAction(async () => {
    const created = await request('post', '/v1/clients', {
      body: {
        profile: 'oauth',
        name: name.trim(),
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(application.trim() ? { application: application.trim() } : {}),
      },
    });
    setDeletedId(undefined);
    setGenerated({ client: created, secret: created.secret ?? '', isRenewed: false });
    setName('');
    setEmail('');
    setApplication('');
    list.reload();
  });

  return (
    <Page
      title="API Credentials"
      subtitle="Client IDs and secrets for the OAuth 2.0 client-credentials grant. Renewing keeps the Client ID and replaces the Client Secret; the old one stops working."
    >
      {can('credentials.manage') && (
        <Section title="Generate API credentials">
          <form
            className="form"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void generate.run();
            }}
          >
            <div className="form-row">
              <div className="field">
                <label htmlFor="oauth-name">Name</label>
                <input id="oauth-name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="oauth-email">Email</label>
                <input id="oauth-email" type="email" maxLength={320} value={email} onChange={(event) => setEmail(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="oauth-application">Application</label>
                <input
                  id="oauth-application"
                  maxLength={200}
                  value={application}
                  onChange={(event) => setApplication(event.target.value)}
                />
              </div>
            </div>
            <ErrorMessage error={generate.error} />
            <div>
              <button type="submit" className="button button-primary" disabled={generate.isBusy}>
                Generate
              </button>
            </div>
          </form>
        </Section>
      )}

      {deletedId && (
        <p className="notice notice-success" role="status">
          Client application {deletedId} was deleted: its secrets are refused from now on.
        </p>
      )}

      {generated && (
        <SecretReveal
          title={generated.isRenewed ? 'Renewed API credentials' : 'New API credentials'}
          fields={[
            { label: 'Client ID', value: generated.client.id },
            { label: 'Client Secret', value: generated.secret },
          ]}
          copyLabel="Copy"
        >
          <p className="muted">
            {generated.client.name}
            {generated.client.application ? ` · ${generated.client.application}` : ''}
            {generated.client.email ? ` · ${generated.client.email}` : ''}
          </p>
          {can('credentials.manage') && (
            <div className="reveal-actions">
              <button type="button" className="button" onClick={() => setDialog('renew')}>
                Renew
              </button>
              <button type="button" className="button button-danger-quiet" onClick={() => setDialog('delete')}>
                Delete
              </button>
            </div>
          )}
        </SecretReveal>
      )}

      <Section title="Existing credentials">
        {list.error && <ErrorMessage error={list.error} />}
        {!list.items && !list.error && <Loading />}
        {list.items && list.items.length === 0 && <p className="empty">No API credentials yet. Generate the first set above.</p>}
        {list.items && list.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client ID</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Application</th>
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
                      <code className="id">{client.id}</code>
                    </td>
                    <td>{client.email ?? '—'}</td>
                    <td>{client.application ?? '—'}</td>
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
          <ListFooter
            count={list.items.length}
            noun="client applications"
            hasMore={list.hasMore}
            isLoading={list.isLoading}
            onMore={list.loadMore}
          />
        )}
      </Section>

      {generated && (
        <>
          <RegenerateDialog
            client={generated.client}
            open={dialog === 'renew'}
            onCancel={() => setDialog(undefined)}
            onDone={(result) => {
              setGenerated({ client: generated.client, secret: result.secret, isRenewed: true });
              setDialog(undefined);
            }}
          />
          <DeleteClientDialog
            client={generated.client}
            open={dialog === 'delete'}
            onCancel={() => setDialog(undefined)}
            onDone={() => {
              setDeletedId(generated.client.id);
              setGenerated(undefined);
              setDialog(undefined);
              list.reload();
            }}
          />
        </>
      )}
    </Page>
  );
}
