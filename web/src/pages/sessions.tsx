import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, request } from '../api/client';
import type { SessionView } from '../api/types';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { formatAgo, formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';

/** Your console sessions; administrators can end every session of the account (SPEC §11). */
export function SessionsPage(): ReactNode {
  const { can, signOut, state } = useSession();
  const sessions = useResource('sessions', () => request('get', '/v1/sessions'));
  const [ending, setEnding] = useState<SessionView | 'all' | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [changed, setChanged] = useState(false);
  const now = Date.now();
  const accountId = state.status === 'signed-in' ? state.me.accountId : '';

  const change = useAction(async () => {
    if (password !== repeat) throw new ApiError({ status: 400, detail: 'The two passwords differ.' }, undefined);
    await request('put', '/v1/members/{id}/password', { path: { id: 'me' }, body: { password } });
    setPassword('');
    setRepeat('');
    setChanged(true);
    await sessions.reload();
  });

  const end = async (): Promise<void> => {
    if (ending === 'all') {
      await request('post', '/v1/sessions/revoke-all', { body: {} });
    } else if (ending) {
      if (ending.current) {
        setEnding(undefined);
        await signOut();
        return;
      }
      await request('delete', '/v1/sessions/{id}', { path: { id: ending.id } });
    }
    setEnding(undefined);
    await sessions.reload();
  };

  const items = sessions.data?.items ?? [];
  return (
    <Page
      title="Sessions"
      subtitle="Where you are signed in to the console. Sessions end after 2 hours without activity or 12 hours after sign-in."
    >
      <Section
        title="Your sessions"
        actions={
          can('members.manage') ? (
            <button type="button" className="button button-small button-danger-quiet" onClick={() => setEnding('all')}>
              End every session of the account
            </button>
          ) : undefined
        }
      >
        {sessions.error && <ErrorMessage error={sessions.error} />}
        {!sessions.data && !sessions.error && <Loading />}
        {items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last active</th>
                  <th scope="col">Ends by</th>
                  <th scope="col">Address</th>
                  <th scope="col">Browser</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((session) => (
                  <tr key={session.id}>
                    <td>
                      {formatDate(session.createdAt)} {session.current && <span className="badge badge-current">This browser</span>}
                    </td>
                    <td>{formatAgo(session.lastSeenAt, now)}</td>
                    <td>{formatDate(session.expiresAt)}</td>
                    <td>
                      <code>{session.address}</code>
                    </td>
                    <td className="cell-wrap cell-small">{session.userAgent ?? '—'}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        onClick={() => setEnding(session)}
                        aria-label={session.current ? 'End this session' : `End session from ${session.address}`}
                      >
                        End
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Change your password">
        {changed && (
          <p className="notice notice-success" role="status">
            Password changed. Your other sessions were ended.
          </p>
        )}
        <form
          className="form form-inline"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void change.run();
          }}
        >
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={state.status === 'signed-in' ? state.me.email : ''}
            readOnly
            hidden
          />
          <div className="field">
            <label htmlFor="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="repeat-password">Repeat it</label>
            <input
              id="repeat-password"
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={repeat}
              onChange={(event) => setRepeat(event.target.value)}
            />
          </div>
          <button type="submit" className="button" disabled={change.isBusy}>
            Change password
          </button>
        </form>
        <ErrorMessage error={change.error} />
      </Section>
      <ConfirmDialog
        open={ending !== undefined}
        title={ending === 'all' ? 'End every session' : 'End session'}
        onConfirm={end}
        onCancel={() => setEnding(undefined)}
        isDanger
      >
        {ending === 'all' ? (
          <p>
            End every console session of account <strong className="target">{accountId}</strong>, including yours? Everyone will have to
            sign in again and will be told an administrator signed everyone out.
          </p>
        ) : (
          ending && (
            <p>
              End the session{' '}
              {ending.current ? (
                'of this browser (you will be signed out)'
              ) : (
                <>
                  started {formatDate(ending.createdAt)} from <code className="target">{ending.address}</code>
                </>
              )}
              ?
            </p>
          )
        )}
      </ConfirmDialog>
    </Page>
  );
}
