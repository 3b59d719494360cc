import { Fragment, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { request } from '../api/client';
import type { AppSecretView, AppView } from '../api/types';
import { StateBadge } from '../components/badge';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatDate } from '../lib/format';
import { Link, navigate, useLocation } from '../lib/router';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useKeyAccountNames } from './apps';

type Tab = 'details' | 'configuration';
const TABS: Array<{ id: Tab; label: string }> = [
  { id: 'details', label: 'Details' },
  { id: 'configuration', label: 'Configuration' },
];

const HEALTH: Record<string, { text: string; state: string }> = {
  current: { text: 'Current secret', state: 'current' },
  previous: { text: 'Previous secret (in grace)', state: 'previous' },
  retired: { text: 'Retired — stops the app', state: 'warning' },
  revoked: { text: 'Revoked — stops the app', state: 'warning' },
  expired: { text: 'Expired — stops the app', state: 'warning' },
  unknown: { text: 'Not a secret of this key account', state: 'warning' },
};

/** One app (seed 002): Details (Deploy / Undeploy) and Configuration (App Secrets → Secret Value → Update). */
export function AppPage({ id }: { id: string }): ReactNode {
  const { search } = useLocation();
  const tab: Tab = search.get('tab') === 'configuration' ? 'configuration' : 'details';
  const app = useResource(`app:${id}`, () => request('get', '/v1/apps/{id}', { path: { id } }));
  const keyNames = useKeyAccountNames();
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ details: null, configuration: null });

  const select = (next: Tab, focus = false): void => {
    navigate(`/apps/${encodeURIComponent(id)}${next === 'configuration' ? '?tab=configuration' : ''}`, { replace: true });
    if (focus) tabRefs.current[next]?.focus();
  };
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>): void => {
    const index = TABS.findIndex((item) => item.id === tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    select(TABS[(index + step + TABS.length) % TABS.length]!.id, true);
  };

  if (!app.data) return <Page title="App">{app.error ? <ErrorMessage error={app.error} /> : <Loading />}</Page>;
  const view = app.data;

  return (
    <Page
      title={view.name}
      subtitle={
        <>
          <Link to="/apps">Apps</Link> · <code className="id">{view.id}</code> ·{' '}
          <StateBadge state={view.state === 'deployed' ? 'current' : 'retired'}>
            {view.state === 'deployed' ? 'Deployed' : 'Undeployed'}
          </StateBadge>
        </>
      }
    >
      <div className="tabs" role="tablist" aria-label="App">
        {TABS.map((item) => (
          <button
            key={item.id}
            ref={(element) => {
              tabRefs.current[item.id] = element;
            }}
            type="button"
            role="tab"
            id={`tab-${item.id}`}
            aria-selected={tab === item.id}
            aria-controls={`panel-${item.id}`}
            tabIndex={tab === item.id ? 0 : -1}
            className="tab"
            onClick={() => select(item.id)}
            onKeyDown={onTabKey}
          >
            {item.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'details' ? (
          <AppDetails app={view} keyNames={keyNames} onChange={app.set} />
        ) : (
          <AppConfiguration app={view} keyNames={keyNames} onChange={app.set} />
        )}
      </div>
    </Page>
  );
}

function AppDetails({
  app,
  keyNames,
  onChange,
}: {
  app: AppView;
  keyNames: Map<string, string>;
  onChange: (app: AppView) => void;
}): ReactNode {
  const [token, setToken] = useShownOnce<string>();
  const [dialog, setDialog] = useState<'token' | 'delete' | undefined>(undefined);
  const dead = app.secrets.filter((slot) => slot.versionState !== 'current' && slot.versionState !== 'previous');
  const deploy = useAction(async () => {
    onChange(
      await request('post', app.state === 'deployed' ? '/v1/apps/{id}/undeploy' : '/v1/apps/{id}/deploy', {
        path: { id: app.id },
        body: {},
      }),
    );
  });

  return (
    <>
      {token && (
        <SecretReveal title="New app token" fields={[{ label: 'App Token', value: token }]}>
          <p className="muted">The previous token stopped working. Give this one to the running app.</p>
        </SecretReveal>
      )}
      <Section
        title="Details"
        actions={
          app.state === 'deployed' ? (
            <button type="button" className="button" onClick={() => void deploy.run()} disabled={deploy.isBusy}>
              Undeploy
            </button>
          ) : (
            <button type="button" className="button button-primary" onClick={() => void deploy.run()} disabled={deploy.isBusy}>
              Deploy
            </button>
          )
        }
      >
        <ErrorMessage error={deploy.error} title={app.state === 'deployed' ? 'Could not undeploy' : 'Could not deploy'} />
        {app.state === 'undeployed' && dead.length > 0 && (
          <p className="notice notice-warn">
            {dead.map((slot) => slot.name).join(', ')} hold{dead.length === 1 ? 's' : ''} a secret that no longer works, so Deploy is
            refused. Update {dead.length === 1 ? 'it' : 'them'} under{' '}
            <Link to={`/apps/${encodeURIComponent(app.id)}?tab=configuration`}>Configuration → App Secrets</Link> first.
          </p>
        )}
        <dl className="facts">
          <div>
            <dt>State</dt>
            <dd>
              {app.state === 'deployed'
                ? 'Deployed: the app receives its App Secrets.'
                : 'Undeployed: the app cannot fetch its App Secrets.'}
            </dd>
          </div>
          <div>
            <dt>App ID</dt>
            <dd>
              <code className="id">{app.id}</code>
            </dd>
          </div>
          <div>
            <dt>api_key_id</dt>
            <dd>
              {app.config.apiKeyId ? (
                <Link to={`/clients/${encodeURIComponent(app.config.apiKeyId)}`}>
                  {keyNames.get(app.config.apiKeyId) ?? app.config.apiKeyId}
                </Link>
              ) : (
                '—'
              )}
            </dd>
          </div>
          <div>
            <dt>App token</dt>
            <dd>{app.hasToken ? `Issued ${formatDate(app.tokenCreatedAt)}` : 'None'}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDate(app.createdAt)}</dd>
          </div>
        </dl>
      </Section>
      <Section title="App token">
        <p className="muted">
          The app reads its App Secrets with its token from <code>GET /v1/app/credentials</code>. Issuing a new token stops the old one at
          once.
        </p>
        <button type="button" className="button" onClick={() => setDialog('token')}>
          Issue a new app token
        </button>
      </Section>
      <Section title="Remove">
        <button type="button" className="button button-danger-quiet" onClick={() => setDialog('delete')}>
          Delete app
        </button>
      </Section>
      <ConfirmDialog
        open={dialog === 'token'}
        title="Issue a new app token"
        onCancel={() => setDialog(undefined)}
        onConfirm={async () => {
          const issued = await request('post', '/v1/apps/{id}/token', { path: { id: app.id }, body: {} });
          setToken(issued.appToken);
          setDialog(undefined);
        }}
        isDanger
      >
        <p>
          Issue a new token for <strong className="target">{app.name}</strong>? Its current token stops working at once; the running app
          must be given the new one.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'delete'}
        title="Delete app"
        onCancel={() => setDialog(undefined)}
        onConfirm={async () => {
          await request('delete', '/v1/apps/{id}', { path: { id: app.id } });
          navigate('/apps');
        }}
        isDanger
      >
        <p>
          Delete <strong className="target">{app.name}</strong> (<code>{app.id}</code>) with its App Secrets and token? The key accounts
          themselves are not touched.
        </p>
      </ConfirmDialog>
    </>
  );
}

function SlotEditor({
  app,
  slot,
  keyName,
  onSaved,
  onCancel,
}: {
  app: AppView;
  slot: AppSecretView;
  keyName: string;
  onSaved: (app: AppView, message: string) => void;
  onCancel: () => void;
}): ReactNode {
  const [value, setValue] = useState('');
  const update = useAction(async () => {
    const saved = await request('put', '/v1/apps/{id}/secrets/{name}', {
      path: { id: app.id, name: slot.name },
      body: { keyAccountId: slot.keyAccountId, value: value.trim() },
    });
    setValue('');
    const now = saved.secrets.find((item) => item.name === slot.name);
    onSaved(
      saved,
      `${slot.name} now holds ${now?.versionId ? `version ${now.versionId} (${now.versionState})` : 'the new value'} of ${keyName}.`,
    );
  });
  return (
    <form
      className="form slot-editor"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void update.run();
      }}
    >
      <div className="field">
        <label htmlFor={`slot-value-${slot.name}`}>Secret Value</label>
        <input
          id={`slot-value-${slot.name}`}
          className="masked"
          type="text"
          autoComplete="off"
          spellCheck={false}
          required
          maxLength={200}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-describedby={`slot-hint-${slot.name}`}
        />
        <p id={`slot-hint-${slot.name}`} className="hint">
          Paste the current secret of {keyName}. It is stored encrypted and never shown again; Rekey checks it belongs to the key account.
        </p>
      </div>
      <ErrorMessage error={update.error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={update.isBusy}>
          Update
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}

function AppConfiguration({
  app,
  keyNames,
  onChange,
}: {
  app: AppView;
  keyNames: Map<string, string>;
  onChange: (app: AppView) => void;
}): ReactNode {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [isAdding, setAdding] = useState(false);
  const [isEditingConfig, setEditingConfig] = useState(false);
  const [apiKeyId, setApiKeyId] = useState(app.config.apiKeyId ?? '');
  const [slotName, setSlotName] = useState('');
  const [slotKey, setSlotKey] = useState('');
  const [slotValue, setSlotValue] = useState('');
  const nameOf = (keyAccountId: string): string => keyNames.get(keyAccountId) ?? keyAccountId;

  const saveConfig = useAction(async () => {
    onChange(await request('patch', '/v1/apps/{id}', { path: { id: app.id }, body: { config: { apiKeyId: apiKeyId || null } } }));
    setEditingConfig(false);
  });
  const add = useAction(async () => {
    const saved = await request('put', '/v1/apps/{id}/secrets/{name}', {
      path: { id: app.id, name: slotName.trim() },
      body: { keyAccountId: slotKey, value: slotValue.trim() },
    });
    onChange(saved);
    setMessage(`Added ${slotName.trim()}.`);
    setSlotName('');
    setSlotValue('');
    setAdding(false);
  });

  return (
    <>
      <Section
        title="app.config"
        actions={
          !isEditingConfig ? (
            <button type="button" className="button button-small" onClick={() => setEditingConfig(true)}>
              Change
            </button>
          ) : undefined
        }
      >
        {!isEditingConfig ? (
          <p>
            api_key_id = {app.config.apiKeyId ? <code className="id">{app.config.apiKeyId}</code> : <span className="muted">not set</span>}
          </p>
        ) : (
          <form
            className="form form-inline"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void saveConfig.run();
            }}
          >
            <div className="field">
              <label htmlFor="config-key">api_key_id</label>
              <select id="config-key" value={apiKeyId} onChange={(event) => setApiKeyId(event.target.value)}>
                <option value="">Not set</option>
                {[...keyNames].map(([keyId, keyName]) => (
                  <option key={keyId} value={keyId}>
                    {keyName} ({keyId})
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button-primary" disabled={saveConfig.isBusy}>
              Save
            </button>
            <button type="button" className="button" onClick={() => setEditingConfig(false)}>
              Cancel
            </button>
          </form>
        )}
        <ErrorMessage error={saveConfig.error} />
      </Section>

      <Section
        title="App Secrets"
        actions={
          !isAdding ? (
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                setAdding(true);
                setOpen(undefined);
              }}
            >
              Add a secret
            </button>
          ) : undefined
        }
      >
        {message && (
          <p className="notice notice-success" role="status">
            {message}
          </p>
        )}
        {app.secrets.length === 0 && !isAdding && (
          <p className="empty">No App Secrets. Add one for each key account the app authenticates with.</p>
        )}
        {app.secrets.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">API key account</th>
                  <th scope="col">Slot</th>
                  <th scope="col">Holds</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {app.secrets.map((slot) => {
                  const health = HEALTH[slot.versionState] ?? HEALTH.unknown!;
                  const isOpen = open === slot.name;
                  return (
                    <Fragment key={slot.name}>
                      <tr>
                        <td>
                          <button
                            type="button"
                            className="link-button"
                            aria-expanded={isOpen}
                            aria-controls={`slot-${slot.name}`}
                            onClick={() => {
                              setOpen(isOpen ? undefined : slot.name);
                              setAdding(false);
                              setMessage(undefined);
                            }}
                          >
                            {nameOf(slot.keyAccountId)}
                          </button>
                        </td>
                        <td>
                          <code>{slot.name}</code>
                        </td>
                        <td>
                          <StateBadge state={health.state}>{health.text}</StateBadge>
                        </td>
                        <td>{formatDate(slot.updatedAt)}</td>
                      </tr>
                      {isOpen && (
                        <tr id={`slot-${slot.name}`} className="row-editor">
                          <td colSpan={4}>
                            <SlotEditor
                              app={app}
                              slot={slot}
                              keyName={nameOf(slot.keyAccountId)}
                              onCancel={() => setOpen(undefined)}
                              onSaved={(saved, text) => {
                                onChange(saved);
                                setMessage(text);
                                setOpen(undefined);
                              }}
                            />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {isAdding && (
          <form
            className="form subform"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void add.run();
            }}
          >
            <div className="form-row">
              <div className="field">
                <label htmlFor="new-slot-name">Slot name</label>
                <input
                  id="new-slot-name"
                  required
                  pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}"
                  value={slotName}
                  onChange={(event) => setSlotName(event.target.value)}
                  aria-describedby="new-slot-hint"
                />
                <p id="new-slot-hint" className="hint">
                  Letters, digits, _ . - (the name the app looks it up by).
                </p>
              </div>
              <div className="field">
                <label htmlFor="new-slot-key">Key account</label>
                <select id="new-slot-key" required value={slotKey} onChange={(event) => setSlotKey(event.target.value)}>
                  <option value="" disabled>
                    Choose…
                  </option>
                  {[...keyNames].map(([keyId, keyName]) => (
                    <option key={keyId} value={keyId}>
                      {keyName}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="new-slot-value">Its current secret</label>
                <input
                  id="new-slot-value"
                  className="masked"
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  required
                  value={slotValue}
                  onChange={(event) => setSlotValue(event.target.value)}
                />
              </div>
            </div>
            <ErrorMessage error={add.error} />
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={add.isBusy}>
                Add
              </button>
              <button type="button" className="button" onClick={() => setAdding(false)}>
                Cancel
              </button>
            </div>
          </form>
        )}
        <p className="muted">
          Rotating a key account? <strong>Rotate with apps</strong> on its page undeploys, regenerates, updates every App Secret and
          redeploys in one go.
        </p>
      </Section>
    </>
  );
}
