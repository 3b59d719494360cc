import type { ReactNode } from 'react';
import { AuthShell } from './auth-shell';
import { SignInForm } from './sign-in';

/**
 * An empty database (SPEC §7): how the first account comes to exist, above the sign-in form the
 * new Administrator then uses — the running server sees the account as soon as the CLI writes it.
 */
export function FirstRunPage(): ReactNode {
  return (
    <AuthShell title="Welcome to Rekey" wide>
      <p>
        This Rekey has no account yet. The first account is created on the server, with the same database this process uses — in a second
        terminal, in the directory you started <code>rekey serve</code> from:
      </p>
      <ol className="steps">
        <li>
          <p>Put the first Administrator's console password (at least 8 characters) in a file only you can read:</p>
          <pre>
            <code>{"(umask 077; read -rs -p 'Console password: ' P && printf '%s' \"$P\" > admin-password); echo"}</code>
          </pre>
        </li>
        <li>
          <p>Create the account and its Administrator:</p>
          <pre>
            <code>
              {
                'npx rekey init --account 1234567 --name "Acme" \\\n  --admin-email admin@example.com --admin-password-file admin-password --json'
              }
            </code>
          </pre>
          <p className="hint">
            It prints the account's first admin token once, for scripts. The running server sees the new account at once.
          </p>
        </li>
        <li>
          <p>Delete the password file, then sign in below with the account ID, the email and the password.</p>
        </li>
      </ol>
      <h2 className="auth-subtitle">Sign in</h2>
      <SignInForm />
    </AuthShell>
  );
}
