import { useState, type FormEvent, type ReactNode } from 'react';
import { request } from '../api/client';
import type { ClientView, TokenView } from '../api/types';
import { formatDate, plural } from '../lib/format';
import { useMe, useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { ConfirmDialog } from './dialog';
import { ErrorMessage } from './error-message';
import { Loading, Section } from './page';
import { SecretReveal, useShownOnce } from './secret-reveal';

/** Tokens of an integration record (seed 000): they survive a reset and then work only with the new consumer pair. */
export function TokensSection({ client }: { client: ClientView }): ReactNode {
  const me = useMe();
  const { can } = useSession();
  const tokens = useResource(`tokens:${client.id}`, () => request('get', '/v1/clients/{id}/tokens', { path: { id: client.id } }));
  const members = useResource(can('members.manage') ? 'members' : null, () => request('get', '/v1/members'));
  const [issued, setIssued] = useShownOnce<{ tokenId: string; tokenSecret: string; memberEmail: string; role: string }>();
  const [memberId, setMemberId] = useState(me.id);
  const [role, setRole] = useState('');
  const [revoking, setRevoking] = useState<TokenView | 'all' | undefined>(undefined);
  const memberList = members.data?.items.filter((member) => !member.removedAt) ?? [{ ...me }];
  const selected = memberList.find((member) => member.id === memberId);
  const roles = selected?.roles ?? [];
  const chosenRole = role && roles.includes(role) ? role : (roles[0] ?? '');
  const emailOf = (id: string): string => memberList.find((member) => member.id === id)?.email ?? id;
  const isActive = client.state === 'active' && client.tokenBasedAuth !== false;

  const issue = useAction(async () => {
    const result = await request('post', '/v1/clients/{id}/tokens', { path: { id: client.id }, body: { memberId, role: chosenRole } });
    setIssued({ ...result, memberEmail: emailOf(memberId), role: chosenRole });
    await tokens.reload();
  });

  const revoke = async (): Promise<void> => {
    if (revoking === 'all') await request('post', '/v1/clients/{id}/tokens/revoke-all', { path: { id: client.id }, body: {} });
    else if (revoking) await request('delete', '/v1/clients/{id}/tokens/{tokenId}', { path: { id: client.id, tokenId: revoking.tokenId } });
    setRevoking(undefined);
    await tokens.reload();
  };

  const items = tokens.data?.items ?? [];
  return (
    <Section
      title="Tokens"
      actions={
        can('credentials.manage') && items.length > 1 ? (
          <button type="button" className="button button-small button-danger-quiet" onClick={() => setRevoking('all')}>
            Revoke all tokens
          </button>
        ) : undefined
      }
    >
      {issued && (
        <SecretReveal
          title={`New token for ${issued.memberEmail} (${issued.role})`}
          fields={[
            { label: 'Token ID', value: issued.tokenId },
            { label: 'Token Secret', value: issued.tokenSecret },
          ]}
        >
          <p className="muted">Use it with this record's consumer key and secret; the realm is {me.accountId}.</p>
        </SecretReveal>
      )}
      {tokens.error && <ErrorMessage error={tokens.error} />}
      {!tokens.data && !tokens.error && <Loading />}
      {tokens.data && items.length === 0 && <p className="empty">No tokens issued for this record.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Token ID</th>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Issued</th>
                {can('credentials.manage') && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((token) => (
                <tr key={token.tokenId}>
                  <td>
                    <code className="id">{token.tokenId}</code>
                  </td>
                  <td>{emailOf(token.memberId)}</td>
                  <td>{token.role}</td>
                  <td>{formatDate(token.createdAt)}</td>
                  {can('credentials.manage') && (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        onClick={() => setRevoking(token)}
                        aria-label={`Revoke token ${token.tokenId}`}
                      >
                        Revoke
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isActive && can('credentials.manage') && (
        <form
          className="form form-inline subform"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void issue.run();
          }}
        >
          <div className="field">
            <label htmlFor="token-member">Member</label>
            <select id="token-member" value={memberId} onChange={(event) => setMemberId(event.target.value)}>
              {memberList.map((member) => (
                <option key={member.id} value={member.id}>
                  {member.email}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="token-role">Role</label>
            <select id="token-role" value={chosenRole} onChange={(event) => setRole(event.target.value)}>
              {roles.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button" disabled={issue.isBusy || !chosenRole}>
            Issue token
          </button>
        </form>
      )}
      <ErrorMessage error={issue.error} />
      <ConfirmDialog
        open={revoking !== undefined}
        title={revoking === 'all' ? 'Revoke all tokens' : 'Revoke token'}
        onConfirm={revoke}
        onCancel={() => setRevoking(undefined)}
        isDanger
      >
        {revoking === 'all' ? (
          <p>
            Revoke all {plural(items.length, 'token')} of <strong>{client.name}</strong>? Every integration signing with them is refused at
            once.
          </p>
        ) : (
          revoking && (
            <p>
              Revoke token <code className="target">{revoking.tokenId}</code> of {emailOf(revoking.memberId)} on{' '}
              <strong>{client.name}</strong>? Requests signed with it are refused at once.
            </p>
          )
        )}
      </ConfirmDialog>
    </Section>
  );
}

/** Bundles (seed 000): publishing a record lets other accounts install it; only this account can reset it. */
export function BundlesSection({ client }: { client: ClientView }): ReactNode {
  const { can } = useSession();
  const bundles = useResource(`bundles:${client.id}`, () => request('get', '/v1/clients/{id}/bundles', { path: { id: client.id } }));
  const publish = useAction(async () => {
    await request('post', '/v1/clients/{id}/bundles', { path: { id: client.id }, body: {} });
    await bundles.reload();
  });
  const items = bundles.data?.items ?? [];
  return (
    <Section title="Bundles">
      {bundles.error && <ErrorMessage error={bundles.error} />}
      {bundles.data && items.length === 0 && (
        <p className="empty">
          Not published. Publish it as a bundle to let other accounts install this integration; they never see its consumer secret.
        </p>
      )}
      {items.map((bundle) => (
        <div key={bundle.bundleId} className="bundle">
          <p>
            Bundle ID <code className="id">{bundle.bundleId}</code> — published {formatDate(bundle.createdAt)}. Share this ID with the
            accounts that should install it.
          </p>
          {bundle.installations.length === 0 ? (
            <p className="muted">Not installed anywhere yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Installed by account</th>
                    <th scope="col">Since</th>
                  </tr>
                </thead>
                <tbody>
                  {bundle.installations.map((item) => (
                    <tr key={item.accountId}>
                      <td>{item.accountId}</td>
                      <td>{formatDate(item.installedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ))}
      {bundles.data && items.length === 0 && can('accounts.manage') && client.state === 'active' && (
        <button type="button" className="button" onClick={() => void publish.run()} disabled={publish.isBusy}>
          Publish as bundle
        </button>
      )}
      <ErrorMessage error={publish.error} />
    </Section>
  );
}
