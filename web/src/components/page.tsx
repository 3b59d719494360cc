import { useEffect, useRef, type ReactNode } from 'react';
import { navigationCount } from '../lib/router';

/**
 * A page's heading and body. After an in-app navigation, focus moves to the heading so keyboard and
 * screen-reader users start at the new page, not at the link they left. A fresh load leaves focus
 * alone, so the skip link stays the first stop.
 */
export function Page({
  title,
  subtitle,
  actions,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigationCount() === 0) return;
    if (document.activeElement === document.body || document.activeElement?.closest('nav, .page-header'))
      heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <>
      <div className="page-header">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {subtitle && <p className="page-subtitle">{subtitle}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}

export function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }): ReactNode {
  return (
    <section className="card">
      <div className="card-header">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }): ReactNode {
  return (
    <p className="muted" role="status">
      {what}…
    </p>
  );
}
