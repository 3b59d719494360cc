import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { AuthShell } from './auth-shell';

/** Sign-in failures in words; the server's answer is deliberately the same for every wrong field. */
function explainSignInError(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 401) {
    return new ApiError(
      { ...error.problem, detail: 'The account, email or password is wrong. All three must match a member with a console password.' },
      undefined,
    );
  }
  return error;
}

/** Account, Email, Password and Sign in: the pinned names (SPEC §7). */
export function SignInForm({ notice }: { notice?: string | undefined }): ReactNode {
  const { signIn } = useSession();
  const [accountId, setAccountId] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await signIn({ accountId: accountId.trim(), email: email.trim(), password });
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run();
  };

  return (
    <>
      {notice && !action.error && (
        <div className="notice notice-info" role="status">
          <p>{notice}</p>
        </div>
      )}
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="signin-account">Account</label>
          <input
            id="signin-account"
            name="account"
            autoComplete="organization"
            required
            value={accountId}
            onChange={(event) => setAccountId(event.target.value)}
            aria-describedby="signin-account-hint"
          />
          <p id="signin-account-hint" className="hint">
            Your company's account ID, for example 1234567 (a sandbox: 1234567_SB1).
          </p>
        </div>
        <div className="field">
          <label htmlFor="signin-email">Email</label>
          <input
            id="signin-email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="signin-password">Password</label>
          <input
            id="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <ErrorMessage
          error={explainSignInError(action.error)}
          title={action.error instanceof ApiError && action.error.status === 429 ? 'Too many failed sign-ins' : 'Sign-in failed'}
        />
        <button type="submit" className="button button-primary button-block" disabled={action.isBusy}>
          Sign in
        </button>
      </form>
    </>
  );
}

export function SignInPage({ notice }: { notice?: string | undefined }): ReactNode {
  return (
    <AuthShell title="Sign in to Rekey">
      <SignInForm notice={notice} />
      <p className="auth-footer">
        Refreshing your portal credentials? <Link to="/register">Run the registration</Link>.
      </p>
    </AuthShell>
  );
}
