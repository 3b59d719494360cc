import { useEffect, useRef, type ReactNode } from 'react';

/** The signed-out pages' frame: a centred card under the product's name. */
export function AuthShell({ title, children, wide = false }: { title: string; children: ReactNode; wide?: boolean }): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Rekey`;
  }, [title]);
  return (
    <div className="auth-shell">
      <main className={wide ? 'auth-card auth-card-wide' : 'auth-card'}>
        <div className="auth-brand" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="34" height="34">
            <rect width="32" height="32" rx="7" fill="#1f4fd1" />
            <path
              d="M12 9a6 6 0 1 0 4.9 9.5H20v3h3v-3h2v-3.5h-8.1A6 6 0 0 0 12 9zm0 3.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5z"
              fill="#fff"
            />
          </svg>
          <span>Rekey</span>
        </div>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {children}
      </main>
    </div>
  );
}
