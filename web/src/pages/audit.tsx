import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, request } from '../api/client';
import type { AuditEventView } from '../api/types';
import type { paths } from '../api/schema';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { formatDate, shortId } from '../lib/format';
import { Link } from '../lib/router';
import { useOpenApiEnums } from '../lib/use-openapi-enums';

type AuditQuery = NonNullable<paths['/v1/audit']['get']['parameters']['query']>;

interface Filters {
  type: string;
  clientId: string;
  since: string;
  until: string;
}

const EMPTY: Filters = { type: '', clientId: '', since: '', until: '' };

function Actor({ actor }: { actor: AuditEventView['actor'] }): ReactNode {
  const kind = actor.type.replace(/_/g, ' ');
  return (
    <>
      {kind}
      {actor.id && (
        <div className="muted cell-small">
          <code className="id id-short" title={actor.id}>
            {shortId(actor.id)}
          </code>
        </div>
      )}
    </>
  );
}

function dataText(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

const isoOf = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

/** Audit events, newest first, filtered and paged by the server (SPEC §7). */
export function AuditPage(): ReactNode {
  const { eventTypes } = useOpenApiEnums();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEventView[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [isLoading, setLoading] = useState(false);

  const load = useCallback(async (active: Filters, after: string | undefined): Promise<void> => {
    setLoading(true);
    try {
      const since = isoOf(active.since);
      const until = isoOf(active.until);
      const query = {
        limit: '50',
        ...(active.type ? { type: active.type } : {}),
        ...(active.clientId.trim() ? { clientId: active.clientId.trim() } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(after ? { cursor: after } : {}),
      } as AuditQuery;
      const page = await request('get', '/v1/audit', { query });
      setItems((previous) => (after ? [...(previous ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : String(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(filters, undefined);
  }, [filters, load]);

  const apply = (event: FormEvent): void => {
    event.preventDefault();
    setFilters({ ...draft });
  };

  return (
    <Page
      title="Audit"
      subtitle="Every credential and access event of this account, newest first. Failed authentications are grouped per client, version, code and minute."
    >
      <Section title="Filters">
        <form className="form form-inline" onSubmit={apply}>
          <div className="field">
            <label htmlFor="audit-type">Event type</label>
            <select id="audit-type" value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value })}>
              <option value="">All events</option>
              {eventTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-client">Client ID</label>
            <input
              id="audit-client"
              value={draft.clientId}
              spellCheck={false}
              onChange={(event) => setDraft({ ...draft, clientId: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-since">From</label>
            <input
              id="audit-since"
              type="datetime-local"
              value={draft.since}
              onChange={(event) => setDraft({ ...draft, since: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-until">Until</label>
            <input
              id="audit-until"
              type="datetime-local"
              value={draft.until}
              onChange={(event) => setDraft({ ...draft, until: event.target.value })}
            />
          </div>
          <button type="submit" className="button button-primary">
            Apply filters
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        </form>
      </Section>
      <Section title="Events">
        {error !== undefined && <ErrorMessage error={error} />}
        {!items && !error && <Loading />}
        {items && items.length === 0 && <p className="empty">No event matches these filters.</p>}
        {items && items.length > 0 && (
          <div className="table-wrap">
            <table className="table-dense">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Client</th>
                  <th scope="col">Code</th>
                  <th scope="col">Count</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {items.map((event) => (
                  <tr key={event.id}>
                    <td className="cell-nowrap">{formatDate(event.at)}</td>
                    <td>
                      <code>{event.type}</code>
                    </td>
                    <td>
                      <Actor actor={event.actor} />
                    </td>
                    <td>
                      {event.clientId ? (
                        <Link to={`/clients/${encodeURIComponent(event.clientId)}`} title={event.clientId}>
                          <code className="id id-short">{shortId(event.clientId)}</code>
                        </Link>
                      ) : (
                        '—'
                      )}
                      {event.versionId && (
                        <div className="muted cell-small">
                          <code className="id id-short" title={event.versionId}>
                            {shortId(event.versionId)}
                          </code>
                        </div>
                      )}
                    </td>
                    <td>{event.code ?? '—'}</td>
                    <td>{event.count}</td>
                    <td className="cell-wrap cell-small">{dataText(event.data) || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {items && (
          <div className="list-footer">
            <span className="muted">{items.length} events shown</span>
            {cursor && (
              <button type="button" className="button button-small" disabled={isLoading} onClick={() => void load(filters, cursor)}>
                Older events
              </button>
            )}
          </div>
        )}
      </Section>
    </Page>
  );
}
