import type { ReactNode } from 'react';
import { request } from '../api/client';
import type { ClientView, Profile } from '../api/types';
import { needsCredentials } from '../components/badge';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { formatAgo, formatDuration } from '../lib/format';
import { Link } from '../lib/router';
import { useMe, useSession } from '../lib/session';
import { useNow, useResource } from '../lib/use-resource';

const TILES: Array<{ profile: Profile; label: string; to: string }> = [
  // Worded unlike the navigation's links, so each link name stays unique on the page.
  { profile: 'tba', label: 'Integration records', to: '/integrations' },
  { profile: 'apikey', label: 'Key accounts', to: '/api-keys' },
  { profile: 'oauth', label: 'Client applications', to: '/api-credentials' },
  { profile: 'integrator', label: 'Partner integrators', to: '/integrators' },
];

const clientLink = (client: ClientView): ReactNode => <Link to={`/clients/${encodeURIComponent(client.id)}`}>{client.name}</Link>;

/** What needs attention: rotations in their grace period, locked key accounts, clients without credentials. */
export function OverviewPage(): ReactNode {
  const me = useMe();
  const { can } = useSession();
  const now = useNow(1000);
  const clients = useResource(can('credentials.read') ? 'overview-clients' : null, () =>
    request('get', '/v1/clients', { query: { limit: '200' } }),
  );
  const audit = useResource(can('audit.read') ? 'overview-audit' : null, () => request('get', '/v1/audit', { query: { limit: '8' } }));
  const items = (clients.data?.items ?? []).filter((client) => client.state === 'active');
  const rotating = items.flatMap((client) =>
    client.versions.filter((version) => version.state === 'previous' && version.graceUntil).map((version) => ({ client, version })),
  );
  const locked = items.filter((client) => client.locked);
  const empty = items.filter(needsCredentials);

  return (
    <Page title="Overview" subtitle={`Account ${me.accountId}`}>
      {clients.error && <ErrorMessage error={clients.error} />}
      {can('credentials.read') && !clients.data && !clients.error && <Loading />}
      {clients.data && (
        <>
          <ul className="tiles" aria-label="Clients by kind">
            {TILES.map((tile) => (
              <li key={tile.profile} className="tile">
                <Link to={tile.to} className="tile-link">
                  <span className="tile-count">{items.filter((client) => client.profile === tile.profile).length}</span>
                  <span className="tile-label">{tile.label}</span>
                </Link>
              </li>
            ))}
          </ul>
          <div className="grid-2">
            <Section title="Rotations in progress">
              {rotating.length === 0 ? (
                <p className="empty">No old secret is in a grace period.</p>
              ) : (
                <ul className="attention">
                  {rotating.map(({ client, version }) => (
                    <li key={version.versionId}>
                      {clientLink(client)}: the previous secret is accepted for{' '}
                      <strong className="countdown">{formatDuration((Date.parse(version.graceUntil!) - now) / 1000)}</strong> more (last
                      used {formatAgo(version.lastUsedAt, now)}).
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            <Section title="Needs attention">
              {locked.length === 0 && empty.length === 0 ? (
                <p className="empty">Nothing is locked, and every client has working credentials.</p>
              ) : (
                <ul className="attention">
                  {locked.map((client) => (
                    <li key={client.id} className="attention-alert">
                      {clientLink(client)} is locked after {client.failedAttempts ?? 0} failed attempts.
                    </li>
                  ))}
                  {empty.map((client) => (
                    <li key={client.id}>
                      {clientLink(client)} has no working secret ({client.registrationOnly ? 'run the registration' : 'regenerate it'}).
                    </li>
                  ))}
                </ul>
              )}
            </Section>
          </div>
          {clients.data.nextCursor && <p className="muted">Counting the first 200 clients.</p>}
        </>
      )}
      {audit.data && (
        <Section title="Recent activity" actions={<Link to="/audit">All events</Link>}>
          {audit.data.items.length === 0 ? (
            <p className="empty">No events yet.</p>
          ) : (
            <ul className="activity">
              {audit.data.items.map((event) => (
                <li key={event.id}>
                  <code>{event.type}</code>
                  {event.clientId && (
                    <>
                      {' '}
                      ·{' '}
                      <Link to={`/clients/${encodeURIComponent(event.clientId)}`}>
                        <code className="id">{event.clientId}</code>
                      </Link>
                    </>
                  )}
                  <span className="muted"> · {formatAgo(event.at, now)}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
    </Page>
  );
}
