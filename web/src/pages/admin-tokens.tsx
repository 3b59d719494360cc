import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type BodyOf, type ResponseOf } from '../api/client';
import type { AdminTokenView } from '../api/types';
import { StateBadge } from '../components/badge';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { SecretReveal, useShownOnce } from '../components/secret-reveal';
import { formatAgo, formatDate } from '../lib/format';
import { useMe } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';

type Created = ResponseOf<'post', '/v1/admin-tokens'>;
type Permissions = NonNullable<BodyOf<'post', '/v1/admin-tokens'>['permissions']>;

function status(token: AdminTokenView, now: number): [string, string] {
  if (token.revokedAt) return ['revoked', 'Revoked'];
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return ['retired', 'Expired'];
  return ['current', 'Active'];
}

/** Admin API tokens for scripting the control API; their permissions are the live intersection with their member's. */
export function AdminTokensPage(): ReactNode {
  const me = useMe();
  const tokens = useResource('admin-tokens', () => request('get', '/v1/admin-tokens'));
  const [created, setCreated] = useShownOnce<Created>();
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<string[]>(me.permissions);
  const [days, setDays] = useState('90');
  const [revoking, setRevoking] = useState<AdminTokenView | undefined>(undefined);
  const now = Date.now();

  const create = useAction(async () => {
    setCreated(
      await request('post', '/v1/admin-tokens', {
        body: { name: name.trim(), permissions: permissions as Permissions, ...(days ? { expiresInSeconds: Number(days) * 86_400 } : {}) },
      }),
    );
    setName('');
    await tokens.reload();
  });
  const items = tokens.data?.items ?? [];

  return (
    <Page
      title="Admin tokens"
      subtitle="Bearer tokens (rk_adm_…) for scripts and the CLI. A token can do what you chose for it and what its member can still do, whichever is less."
    >
      {created && <SecretReveal title={`Admin token “${created.name}”`} fields={[{ label: 'Admin Token', value: created.token }]} />}
      <Section title="Tokens">
        {tokens.error && <ErrorMessage error={tokens.error} />}
        {!tokens.data && !tokens.error && <Loading />}
        {tokens.data && items.length === 0 && <p className="empty">No admin tokens.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table className="table-dense">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Member</th>
                  <th scope="col">Permissions</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((token) => {
                  const [state, text] = status(token, now);
                  return (
                    <tr key={token.id}>
                      <td>{token.name}</td>
                      <td>{token.memberId === me.id ? 'You' : <code className="id">{token.memberId}</code>}</td>
                      <td className="cell-wrap cell-small">{token.permissions.join(', ')}</td>
                      <td>{formatDate(token.createdAt)}</td>
                      <td>{token.expiresAt ? formatDate(token.expiresAt) : 'Never'}</td>
                      <td>{formatAgo(token.lastUsedAt, now)}</td>
                      <td>
                        <StateBadge state={state}>{text}</StateBadge>
                      </td>
                      <td className="cell-actions">
                        {!token.revokedAt && (
                          <button
                            type="button"
                            className="button button-small button-quiet"
                            onClick={() => setRevoking(token)}
                            aria-label={`Revoke admin token ${token.name}`}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="New admin token">
        <form
          className="form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void create.run();
          }}
        >
          <div className="form-row">
            <div className="field">
              <label htmlFor="token-name">Token name</label>
              <input
                id="token-name"
                required
                maxLength={200}
                value={name}
                placeholder="deploy scripts"
                onChange={(event) => setName(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="token-days">Expires after (days)</label>
              <input
                id="token-days"
                type="number"
                min={1}
                max={1825}
                value={days}
                placeholder="Never"
                onChange={(event) => setDays(event.target.value)}
              />
            </div>
          </div>
          <fieldset className="fieldset">
            <legend>Permissions</legend>
            <div className="check-grid">
              {me.permissions.map((permission) => (
                <div key={permission} className="field field-check">
                  <input
                    id={`perm-${permission}`}
                    type="checkbox"
                    checked={permissions.includes(permission)}
                    onChange={(event) =>
                      setPermissions(
                        event.target.checked ? [...permissions, permission] : permissions.filter((item) => item !== permission),
                      )
                    }
                  />
                  <label htmlFor={`perm-${permission}`}>
                    <code>{permission}</code>
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
          <ErrorMessage error={create.error} />
          <div>
            <button type="submit" className="button button-primary" disabled={create.isBusy}>
              Create token
            </button>
          </div>
        </form>
      </Section>
      <ConfirmDialog
        open={revoking !== undefined}
        title="Revoke admin token"
        onCancel={() => setRevoking(undefined)}
        onConfirm={async () => {
          if (revoking) await request('delete', '/v1/admin-tokens/{id}', { path: { id: revoking.id } });
          setRevoking(undefined);
          await tokens.reload();
        }}
        isDanger
      >
        {revoking && (
          <p>
            Revoke the admin token <strong className="target">{revoking.name}</strong> (<code>{revoking.id}</code>)? Scripts using it are
            refused at once.
          </p>
        )}
      </ConfirmDialog>
    </Page>
  );
}
