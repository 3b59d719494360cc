import { useEffect, type ReactNode } from 'react';
import { Layout } from './components/layout';
import { Loading } from './components/page';
import { matchPath, navigate, useLocation } from './lib/router';
import { useSession } from './lib/session';
import { AdminTokensPage } from './pages/admin-tokens';
import { ApiCredentialsPage } from './pages/api-credentials';
import { ApiKeysPage } from './pages/api-keys';
import { AppPage } from './pages/app-page';
import { AppsPage } from './pages/apps';
import { AuditPage } from './pages/audit';
import { ClientPage } from './pages/client-page';
import { FirstRunPage } from './pages/first-run';
import { IntegrationsPage } from './pages/integrations';
import { IntegratorsPage } from './pages/integrators';
import { MembersPage } from './pages/members';
import { NotFoundPage } from './pages/not-found';
import { OutboxPage } from './pages/outbox';
import { OverviewPage } from './pages/overview';
import { RegisterPage } from './pages/register';
import { SandboxesPage } from './pages/sandboxes';
import { SessionsPage } from './pages/sessions';
import { SignInPage } from './pages/sign-in';
import { WebhooksPage } from './pages/webhooks';

type Route = [pattern: string, render: (params: Record<string, string>) => ReactNode];

const ROUTES: Route[] = [
  ['/', () => <OverviewPage />],
  ['/integrations', () => <IntegrationsPage />],
  ['/integrators', () => <IntegratorsPage />],
  ['/api-keys', () => <ApiKeysPage />],
  ['/api-credentials', () => <ApiCredentialsPage />],
  ['/clients/:id', (params) => <ClientPage key={params.id} id={params.id!} />],
  ['/apps', () => <AppsPage />],
  ['/apps/:id', (params) => <AppPage key={params.id} id={params.id!} />],
  ['/audit', () => <AuditPage />],
  ['/outbox', () => <OutboxPage />],
  ['/webhooks', () => <WebhooksPage />],
  ['/admin-tokens', () => <AdminTokensPage />],
  ['/sessions', () => <SessionsPage />],
  ['/members', () => <MembersPage />],
  ['/sandboxes', () => <SandboxesPage />],
];

function SignedInRoutes({ pathname }: { pathname: string }): ReactNode {
  useEffect(() => {
    if (pathname === '/signin') navigate('/', { replace: true });
  }, [pathname]);
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return render(params);
  }
  return <NotFoundPage />;
}

export function App(): ReactNode {
  const { state } = useSession();
  const { pathname } = useLocation();

  // Registration is reachable signed out (seed 001): it signs in with its own form.
  if (pathname === '/register') return <RegisterPage />;
  if (state.status === 'loading')
    return (
      <div className="auth-shell">
        <Loading what="Loading the console" />
      </div>
    );
  if (state.status === 'first-run') return <FirstRunPage />;
  if (state.status === 'signed-out') return <SignInPage notice={state.notice} />;
  return (
    <Layout>
      <SignedInRoutes pathname={pathname} />
    </Layout>
  );
}
