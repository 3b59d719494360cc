import type { ReactNode } from 'react';
import type { ClientView } from '../api/types';

export function StateBadge({ state, children }: { state: string; children?: ReactNode }): ReactNode {
  return <span className={`badge badge-${state}`}>{children ?? state}</span>;
}

/** A client whose every version is gone (after a sandbox refresh) authenticates with nothing until registered or regenerated. */
export function needsCredentials(client: ClientView): boolean {
  return client.state === 'active' && !client.versions.some((version) => version.state === 'current' || version.state === 'previous');
}

export function ClientStatus({ client }: { client: ClientView }): ReactNode {
  if (client.state === 'deleted') return <StateBadge state="revoked">Deleted</StateBadge>;
  if (needsCredentials(client))
    return <StateBadge state="warning">{client.registrationOnly ? 'Needs registration' : 'No credentials'}</StateBadge>;
  if (client.versions.some((version) => version.state === 'previous')) return <StateBadge state="previous">Rotating</StateBadge>;
  return <StateBadge state="current">Active</StateBadge>;
}

/** Scheduled rotation (SPEC §12): the client's secret is past the due date of its rotation policy. */
export function RotationDueBadge({ client }: { client: ClientView }): ReactNode {
  return client.rotationDue ? <StateBadge state="warning">Rotation due</StateBadge> : null;
}
