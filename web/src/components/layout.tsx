import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation } from '../lib/router';
import { useMe, useSession } from '../lib/session';
import type { Permission } from '../api/types';

interface NavItem {
  to: string;
  label: string;
  permission?: Permission;
}

const NAV: Array<{ title: string; items: NavItem[] }> = [
  {
    title: 'Credentials',
    items: [
      { to: '/', label: 'Overview' },
      { to: '/integrations', label: 'Integrations', permission: 'credentials.read' },
      { to: '/api-keys', label: 'API Keys', permission: 'credentials.read' },
      { to: '/api-credentials', label: 'API Credentials', permission: 'credentials.read' },
      { to: '/integrators', label: 'Integrators', permission: 'credentials.read' },
      { to: '/apps', label: 'Apps', permission: 'apps.manage' },
    ],
  },
  {
    title: 'Account',
    items: [
      { to: '/members', label: 'Members and roles', permission: 'members.manage' },
      { to: '/admin-tokens', label: 'Admin tokens' },
      { to: '/sessions', label: 'Sessions' },
      { to: '/webhooks', label: 'Webhooks', permission: 'accounts.manage' },
      { to: '/sandboxes', label: 'Sandboxes', permission: 'accounts.manage' },
    ],
  },
  {
    title: 'Records',
    items: [
      { to: '/audit', label: 'Audit', permission: 'audit.read' },
      { to: '/outbox', label: 'Outbox', permission: 'accounts.manage' },
    ],
  },
];

/** The part of the path a nav item owns. */
function isActive(item: NavItem, pathname: string): boolean {
  if (item.to === '/') return pathname === '/';
  return pathname === item.to || pathname.startsWith(`${item.to}/`);
}

const ActiveNav = createContext<(to: string | undefined) => void>(() => undefined);

/** A page whose path says nothing of its list (a client page) names the nav item it belongs to. */
export function useActiveNav(to: string | undefined): void {
  const set = useContext(ActiveNav);
  useEffect(() => {
    set(to);
    return () => set(undefined);
  }, [set, to]);
}

export const SANDBOX_ID = /^(.+)_SB[0-9]{1,3}$/;

export function Layout({ children }: { children: ReactNode }): ReactNode {
  const me = useMe();
  const { signOut, can } = useSession();
  const { pathname } = useLocation();
  const parent = SANDBOX_ID.exec(me.accountId)?.[1];
  const [activeOverride, setActiveOverride] = useState<string | undefined>(undefined);
  const activePath = activeOverride ?? pathname;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Rekey overview">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#1f4fd1" />
            <path
              d="M12 9a6 6 0 1 0 4.9 9.5H20v3h3v-3h2v-3.5h-8.1A6 6 0 0 0 12 9zm0 3.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5z"
              fill="#fff"
            />
          </svg>
          <span>Rekey</span>
        </Link>
        <div className="topbar-account">
          <span className="account-chip" title="The account you are signed in to">
            <span className="muted">Account</span> <strong>{me.accountId}</strong>
            {parent && <span className="badge badge-sandbox">Sandbox of {parent}</span>}
          </span>
        </div>
        <div className="topbar-user">
          <span className="muted">{me.email}</span>
          <button type="button" className="button button-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="shell">
        <nav className="sidebar" aria-label="Console">
          {NAV.map((group) => {
            const items = group.items.filter((item) => !item.permission || can(item.permission));
            if (items.length === 0) return null;
            return (
              <div key={group.title} className="nav-group">
                <p className="nav-title" aria-hidden="true">
                  {group.title}
                </p>
                <ul>
                  {items.map((item) => (
                    <li key={item.to}>
                      <Link to={item.to} className="nav-link" aria-current={isActive(item, activePath) ? 'page' : undefined}>
                        {item.label}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          <ActiveNav.Provider value={setActiveOverride}>{children}</ActiveNav.Provider>
        </main>
      </div>
    </div>
  );
}
