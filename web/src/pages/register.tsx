import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, request, type ResponseOf } from '../api/client';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { formatDate, plural } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { AuthShell } from './auth-shell';

type Registration = ResponseOf<'post', '/v1/register'>;

/**
 * Seed 001: re-running registration is the credential refresh. Reachable signed out at /register;
 * sessions carry on (they never held the credentials), and the page offers to sign everyone out.
 */
export function RegisterPage(): ReactNode {
  const session = useSession();
  const [companyId, setCompanyId] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [result, setResult] = useState<Registration | undefined>(undefined);
  const [isConfirming, setConfirming] = useState(false);
  const [signedOut, setSignedOut] = useState<number | undefined>(undefined);

  const register = useAction(async () => {
    setSignedOut(undefined);
    setResult(
      await request('post', '/v1/register', { body: { companyId: companyId.trim(), email: email.trim(), password }, session: false }),
    );
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void register.run();
  };

  const accountId = result?.accountId ?? companyId.trim();
  const signOutEveryone = async (): Promise<void> => {
    // With a session of this account, use it; otherwise sign in with the credentials just typed
    // (the same check registration made). Either way the call ends the caller's session too.
    const isOwnSession = session.state.status === 'signed-in' && session.state.me.accountId === accountId;
    if (!isOwnSession) {
      if (!password)
        throw new ApiError({ status: 400, detail: 'Enter your password above first: signing everyone out needs it.' }, undefined);
      await request('post', '/v1/sessions', { body: { accountId, email: email.trim(), password }, session: false });
    }
    const answer = await request('post', '/v1/sessions/revoke-all', { body: {}, session: false });
    setSignedOut(answer.revoked);
    setConfirming(false);
    if (session.state.status === 'signed-in' && session.state.me.accountId === accountId) void session.refresh();
  };

  return (
    <AuthShell title="Register" wide>
      <p>
        Registration issues a fresh pair of portal API credentials for your company and replaces the existing pair. Run it after a sandbox
        refresh, a security rotation, or when portal features fail to authenticate. You need the Administrator role or a role with{' '}
        <code>credentials.manage</code>.
      </p>
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="register-company">Company ID</label>
          <input
            id="register-company"
            name="companyId"
            autoComplete="organization"
            required
            value={companyId}
            onChange={(event) => setCompanyId(event.target.value)}
            aria-describedby="register-company-hint"
          />
          <p id="register-company-hint" className="hint">
            Your account ID, for example 1234567 — or 1234567_SB1 to re-register a sandbox.
          </p>
        </div>
        <div className="field">
          <label htmlFor="register-email">Email</label>
          <input
            id="register-email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="register-password">Password</label>
          <input
            id="register-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <ErrorMessage error={register.error} title="Registration failed" />
        <button type="submit" className="button button-primary" disabled={register.isBusy}>
          Register
        </button>
      </form>

      {result && (
        <section className="notice notice-success">
          <h2 id="registered-title">Registration complete for {result.accountId}</h2>
          <ul>
            <li>
              A freshly generated pair replaced the portal credentials (key account <code>{result.clientId}</code>, version{' '}
              <code>{result.versionId}</code>, {formatDate(result.registeredAt)}). The old pair stopped working immediately.
            </li>
            <li>The registration confirmation email is on its way to the account's administrators.</li>
            <li>
              Portal features use the new credentials from now on; signed URLs issued before keep working for their normal 48-hour window.
            </li>
            <li>People who are signed in carry on: console sessions never held the credentials, so nobody has to sign in again.</li>
          </ul>
        </section>
      )}

      <section className="card card-flat">
        <h2 id="everyone-title">Sign everyone out</h2>
        <p>
          If you want every person in the account to sign in again (for example after a security incident), end all of its console sessions,
          yours included.
        </p>
        {signedOut !== undefined && (
          <p className="notice notice-success" role="status">
            Everyone in {accountId} was signed out ({plural(signedOut, 'session')} ended).
          </p>
        )}
        <button type="button" className="button" onClick={() => setConfirming(true)} disabled={!accountId}>
          Sign out everyone
        </button>
      </section>

      <p className="auth-footer">
        {session.state.status === 'signed-in' ? <Link to="/">Back to the console</Link> : <Link to="/">Sign in to the console</Link>}
      </p>

      <ConfirmDialog
        open={isConfirming}
        title="Sign out everyone"
        onConfirm={signOutEveryone}
        onCancel={() => setConfirming(false)}
        isDanger
      >
        <p>
          End every console session of account <strong>{accountId}</strong>, including yours? Everyone will have to sign in again.
        </p>
      </ConfirmDialog>
    </AuthShell>
  );
}
