import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type ResponseOf } from '../api/client';
import { ClientStatus, RotationDueBadge } from '../components/badge';
import { ErrorMessage } from '../components/error-message';
import { ListFooter } from '../components/list-footer';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useClientList } from '../lib/use-client-list';

type Created = ResponseOf<'post', '/v1/clients'>;

export const LOCK_SCOPES = [
  {
    value: 'tiered',
    label: 'Lock the failing address, then the key account if many addresses fail',
    hint: 'Recommended: failures lock the address they come from for a while; the whole key account locks only when failures come from several addresses.',
  },
  {
    value: 'keyAccount',
    label: 'Lock the whole key account',
    hint: 'As the seed describes: after the limit, every attempt is refused until unlocked or regenerated.',
  },
  {
    value: 'source',
    label: 'Lock only the failing address',
    hint: 'Failures lock the address they come from; the key account keeps working elsewhere.',
  },
] as const;

/** Seed 002's API Keys list: key accounts with the `Locked` column reading True or False. */
export function ApiKeysPage(): ReactNode {
  const { can } = useSession();
  const list = useClientList('apikey');
  const [created, setCreated] = useShownOnce<Created>();
  const [name, setName] = useState('');
  const [lockScope, setLockScope] = useState<'tiered' | 'keyAccount' | 'source'>('tiered');
  const [maxFailedAttempts, setMaxFailedAttempts] = useState('5');
  const [lockMinutes, setLockMinutes] = useState('');

  const create = useAction(async () => {
    setCreated(
      await request('post', '/v1/clients', {
        body: {
          profile: 'apikey',
          name: name.trim(),
          lockScope,
          maxFailedAttempts: Number(maxFailedAttempts),
          ...(lockMinutes ? { lockSeconds: Number(lockMinutes) * 60 } : {}),
        },
      }),
    );
    setName('');
    list.reload();
  });

  return (
    <Page
      title="API Keys"
      subtitle="Key accounts: the API Key ID never changes; regenerating the secret keeps it. Locked key accounts read True in the Locked column."
    >
      {created && (
        <SecretReveal
          title="API Key Credentials"
          fields={[
            { label: 'API Key ID', value: created.id },
            { label: 'API Key Secret', value: created.secret ?? '' },
          ]}
        >
          <p>
            Put the secret into the App Secrets of the apps that will use{' '}
            <Link to={`/clients/${encodeURIComponent(created.id)}`}>{created.name}</Link>.
          </p>
        </SecretReveal>
      )}
      <Section title="Key accounts">
        {list.error && <ErrorMessage error={list.error} />}
        {!list.items && !list.error && <Loading />}
        {list.items && list.items.length === 0 && <p className="empty">No key accounts yet.</p>}
        {list.items && list.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">API Key ID</th>
                  <th scope="col">Locked</th>
                  <th scope="col">Failed attempts</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((client) => (
                  <tr key={client.id} className={client.locked ? 'row-alert' : undefined}>
                    <td>
                      <Link to={`/clients/${encodeURIComponent(client.id)}`}>{client.name}</Link>
                    </td>
                    <td>
                      <code className="id">{client.id}</code>
                    </td>
                    <td className={client.locked ? 'cell-locked' : undefined}>{client.locked ? 'True' : 'False'}</td>
                    <td>{client.failedAttempts ?? 0}</td>
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
            noun="key accounts"
            hasMore={list.hasMore}
            isLoading={list.isLoading}
            onMore={list.loadMore}
          />
        )}
      </Section>

      {can('credentials.manage') && (
        <Section title="New key account">
          <form
            className="form"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void create.run();
            }}
          >
            <div className="form-row">
              <div className="field">
                <label htmlFor="key-name">Key account name</label>
                <input
                  id="key-name"
                  required
                  maxLength={200}
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  aria-describedby="key-name-hint"
                />
                <p id="key-name-hint" className="hint">
                  Name it after the app that uses it, so people can tell which app to update.
                </p>
              </div>
            </div>
            <fieldset className="fieldset">
              <legend>Lockout policy</legend>
              {LOCK_SCOPES.map((scope) => (
                <div key={scope.value} className="field field-check">
                  <input
                    id={`scope-${scope.value}`}
                    type="radio"
                    name="lockScope"
                    value={scope.value}
                    checked={lockScope === scope.value}
                    onChange={() => setLockScope(scope.value)}
                    aria-describedby={`scope-${scope.value}-hint`}
                  />
                  <label htmlFor={`scope-${scope.value}`}>{scope.label}</label>
                  <p id={`scope-${scope.value}-hint`} className="hint">
                    {scope.hint}
                  </p>
                </div>
              ))}
              <div className="form-row">
                <div className="field">
                  <label htmlFor="key-max">Failed attempts before locking</label>
                  <input
                    id="key-max"
                    type="number"
                    min={1}
                    max={1000}
                    required
                    value={maxFailedAttempts}
                    onChange={(event) => setMaxFailedAttempts(event.target.value)}
                  />
                </div>
                <div className="field">
                  <label htmlFor="key-lock">Unlock by itself after (minutes)</label>
                  <input
                    id="key-lock"
                    type="number"
                    min={1}
                    max={43200}
                    value={lockMinutes}
                    placeholder="Never"
                    onChange={(event) => setLockMinutes(event.target.value)}
                  />
                </div>
              </div>
            </fieldset>
            <ErrorMessage error={create.error} />
            <div>
              <button type="submit" className="button button-primary" disabled={create.isBusy}>
                Create key account
              </button>
            </div>
          </form>
        </Section>
      )}
    </Page>
  );
}
