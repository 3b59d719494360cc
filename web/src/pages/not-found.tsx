import type { ReactNode } from 'react';
import { Page } from '../components/page';
import { Link } from '../lib/router';

export function NotFoundPage(): ReactNode {
  return (
    <Page title="Page not found">
      <p>
        The console has no page at this address. <Link to="/">Go to the overview</Link>.
      </p>
    </Page>
  );
}
