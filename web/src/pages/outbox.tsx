import { useState, type ReactNode } from 'react';
import { request } from '../api/client';
import { StateBadge } from '../components/badge';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { formatDate } from '../lib/format';
import { useOpenApiEnums } from '../lib/use-openapi-enums';
import { useResource } from '../lib/use-resource';

const STATUS_BADGE: Record<string, string> = { sent: 'current', pending: 'previous', failed: 'warning' };

/** Emails and webhooks, written durably before delivery and retried until sent (SPEC §10). */
export function OutboxPage(): ReactNode {
  const { eventTypes } = useOpenApiEnums();
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const outbox = useResource(`outbox:${status}:${type}`, () =>
    request('get', '/v1/outbox', {
      query: { ...(status ? { status: status as 'pending' | 'sent' | 'failed' } : {}), ...(type ? { type: type as never } : {}) },
    }),
  );
  const items = outbox.data?.items ?? [];
  return (
    <Page
      title="Outbox"
      subtitle="Notifications by email and webhook. Each is stored in the same transaction as its event and delivered at least once."
    >
      <Section title="Messages">
        <div className="form form-inline">
          <div className="field">
            <label htmlFor="outbox-status">Status</label>
            <select id="outbox-status" value={status} onChange={(event) => setStatus(event.target.value)}>
              <option value="">Any status</option>
              <option value="pending">Pending</option>
              <option value="sent">Sent</option>
              <option value="failed">Failed</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="outbox-type">Event type</label>
            <select id="outbox-type" value={type} onChange={(event) => setType(event.target.value)}>
              <option value="">All events</option>
              {eventTypes.map((item) => (
                <option key={item} value={item}>
                  {item}
                </option>
              ))}
            </select>
          </div>
        </div>
        {outbox.error && <ErrorMessage error={outbox.error} />}
        {!outbox.data && !outbox.error && <Loading />}
        {outbox.data && items.length === 0 && <p className="empty">No message matches.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table className="table-dense">
              <thead>
                <tr>
                  <th scope="col">Queued</th>
                  <th scope="col">Event</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Recipient</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {items.map((message) => (
                  <tr key={message.id}>
                    <td className="cell-nowrap">{formatDate(message.createdAt)}</td>
                    <td>
                      <code>{message.type}</code>
                    </td>
                    <td>{message.channel}</td>
                    <td className="cell-wrap">{message.recipient}</td>
                    <td>
                      <StateBadge state={STATUS_BADGE[message.status] ?? 'retired'}>{message.status}</StateBadge>
                      {message.sentAt && <div className="muted cell-small">{formatDate(message.sentAt)}</div>}
                    </td>
                    <td>{message.attempts}</td>
                    <td className="cell-wrap cell-small">{message.lastError ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {outbox.data && <p className="muted">Showing the latest {items.length} messages.</p>}
      </Section>
    </Page>
  );
}
