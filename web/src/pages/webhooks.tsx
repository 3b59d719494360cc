import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type BodyOf, type ResponseOf } from '../api/client';
import type { WebhookView } from '../api/types';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate } from '../lib/format';
import { useAction } from '../lib/use-action';
import { useOpenApiEnums } from '../lib/use-openapi-enums';
import { useResource } from '../lib/use-resource';

type Created = ResponseOf<'post', '/v1/webhooks'>;
type WebhookEvents = NonNullable<BodyOf<'post', '/v1/webhooks'>['events']>;

/** Signed webhooks (Standard Webhooks headers) to URLs the account registers (SPEC §10). */
export function WebhooksPage(): ReactNode {
  const { webhookEvents } = useOpenApiEnums();
  const hooks = useResource('webhooks', () => request('get', '/v1/webhooks'));
  const [created, setCreated] = useShownOnce<Created>();
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<string[] | undefined>(undefined);
  const [removing, setRemoving] = useState<WebhookView | undefined>(undefined);
  const events = chosen ?? webhookEvents;

  const add = useAction(async () => {
    const all = events.length === webhookEvents.length;
    setCreated(await request('post', '/v1/webhooks', { body: { url: url.trim(), ...(all ? {} : { events: events as WebhookEvents }) } }));
    setUrl('');
    setChosen(undefined);
    await hooks.reload();
  });
  const toggle = (event: string, on: boolean): void => setChosen(on ? [...events, event] : events.filter((item) => item !== event));
  const items = hooks.data?.items ?? [];

  return (
    <Page
      title="Webhooks"
      subtitle="Rekey posts signed events to these endpoints: registrations, rotations, resets, revocations, lockouts, expiring secrets, sandbox refreshes."
    >
      {created && (
        <SecretReveal title={`Signing secret for ${created.url}`} fields={[{ label: 'Signing Secret', value: created.secret }]}>
          <p className="muted">
            Verify each delivery's <code>webhook-signature</code> header with it (Standard Webhooks).
          </p>
        </SecretReveal>
      )}
      <Section title="Endpoints">
        {hooks.error && <ErrorMessage error={hooks.error} />}
        {!hooks.data && !hooks.error && <Loading />}
        {hooks.data && items.length === 0 && <p className="empty">No webhook endpoints.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((hook) => (
                  <tr key={hook.id}>
                    <td className="cell-wrap">
                      <code>{hook.url}</code>
                    </td>
                    <td className="cell-wrap cell-small">
                      {hook.events.length === webhookEvents.length ? 'All events' : hook.events.join(', ')}
                    </td>
                    <td>{formatDate(hook.createdAt)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        onClick={() => setRemoving(hook)}
                        aria-label={`Remove webhook ${hook.url}`}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Add an endpoint">
        <form
          className="form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void add.run();
          }}
        >
          <div className="field">
            <label htmlFor="hook-url">Endpoint URL</label>
            <input
              id="hook-url"
              type="url"
              required
              placeholder="https://hooks.example.com/rekey"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
              aria-describedby="hook-url-hint"
            />
            <p id="hook-url-hint" className="hint">
              HTTPS, reachable from Rekey. Private and loopback addresses are refused unless the operator allowed them.
            </p>
          </div>
          <fieldset className="fieldset">
            <legend>Events</legend>
            <div className="check-grid">
              {webhookEvents.map((event) => (
                <div key={event} className="field field-check">
                  <input
                    id={`hook-${event}`}
                    type="checkbox"
                    checked={events.includes(event)}
                    onChange={(change) => toggle(event, change.target.checked)}
                  />
                  <label htmlFor={`hook-${event}`}>
                    <code>{event}</code>
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
          <ErrorMessage error={add.error} />
          <div>
            <button type="submit" className="button button-primary" disabled={add.isBusy || events.length === 0}>
              Add endpoint
            </button>
          </div>
        </form>
      </Section>
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove webhook endpoint"
        onCancel={() => setRemoving(undefined)}
        onConfirm={async () => {
          if (removing) await request('delete', '/v1/webhooks/{id}', { path: { id: removing.id } });
          setRemoving(undefined);
          await hooks.reload();
        }}
        isDanger
      >
        {removing && (
          <p>
            Remove <code className="target">{removing.url}</code>? Messages still queued for it will fail.
          </p>
        )}
      </ConfirmDialog>
    </Page>
  );
}
