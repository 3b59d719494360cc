import type { ReactNode } from 'react';
import type { ClientView, RotationRunView } from '../api/types';
import { formatDate, plural, shortId } from '../lib/format';
import { Link } from '../lib/router';
import { useRotationRuns } from '../lib/use-rotation-runs';
import { StateBadge } from './badge';
import { ErrorMessage } from './error-message';
import { ListFooter } from './list-footer';
import { Loading, Section } from './page';

const KIND_TEXT: Record<RotationRunView['kind'], string> = {
  rotate: 'Rotation',
  warn: 'Warning',
  due: 'Marked due',
};

const STATUS: Record<RotationRunView['status'], { badge: string; text: string }> = {
  running: { badge: 'previous', text: 'Running' },
  succeeded: { badge: 'current', text: 'Succeeded' },
  failed: { badge: 'warning', text: 'Failed' },
  notified: { badge: 'retired', text: 'Notified' },
};

const APP_STATUS: Record<NonNullable<RotationRunView['apps']>[number]['status'], string> = {
  pending: 'pending',
  updated: 'updated',
  restored: 'restored to the previous secret',
  failed: 'failed',
};

function RunApps({ run }: { run: RotationRunView }): ReactNode {
  if (!run.apps || run.apps.length === 0) return run.kind === 'rotate' ? 'No app holds it' : '—';
  return (
    <ul className="plain-list">
      {run.apps.map((app) => (
        <li key={app.appId}>
          <Link to={`/apps/${encodeURIComponent(app.appId)}`} title={app.appId}>
            {shortId(app.appId)}
          </Link>
          : {APP_STATUS[app.status]}
          {app.slots.length > 0 && (
            <>
              {' '}
              (
              {app.slots.map((slot, index) => (
                <span key={slot}>
                  {index > 0 && ', '}
                  <code>{slot}</code>
                </span>
              ))}
              )
            </>
          )}
          {app.redeployed ? ', redeployed' : ''}
        </li>
      ))}
    </ul>
  );
}

function RunOutcome({ run }: { run: RotationRunView }): ReactNode {
  const lines: ReactNode[] = [];
  if (run.error) lines.push(<span className="cell-error">{run.error}</span>);
  if (run.nextAttemptAt) lines.push(<>Next attempt {formatDate(run.nextAttemptAt)}</>);
  if (run.versionId)
    lines.push(
      <>
        New version <code className="id">{run.versionId}</code>
      </>,
    );
  if (run.oldSecretExpiresAt) lines.push(<>Old secret works until {formatDate(run.oldSecretExpiresAt)}</>);
  if (run.kind === 'warn') lines.push(<>The administrators were told the due date is near</>);
  if (run.kind === 'due') lines.push(<>The administrators were told the secret is due</>);
  if (lines.length === 0) return '—';
  return (
    <ul className="plain-list">
      {lines.map((line, index) => (
        <li key={index}>{line}</li>
      ))}
    </ul>
  );
}

/** What the rotation scheduler did about this client, newest first (GET /v1/clients/{id}/rotations). */
export function RotationHistorySection({ client }: { client: ClientView }): ReactNode {
  const current = client.versions.find((version) => version.state === 'current')?.versionId ?? '';
  const runs = useRotationRuns(client.id, `${client.updatedAt}|${current}|${String(client.rotationDue)}`);
  const items = runs.items ?? [];
  // A client that never had a policy has nothing to show here.
  if (!client.rotationPolicy && items.length === 0 && !runs.error) return null;
  return (
    <Section title="Rotation history">
      {runs.error && <ErrorMessage error={runs.error} />}
      {!runs.items && !runs.error && <Loading />}
      {runs.items && items.length === 0 && (
        <p className="empty">The scheduler has not acted on this client yet: its first run comes with a warning or the due date.</p>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Rotation history">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Due date</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Apps</th>
                <th scope="col">Outcome</th>
                <th scope="col">Last change</th>
              </tr>
            </thead>
            <tbody>
              {items.map((run) => (
                <tr key={run.id} className={run.status === 'failed' ? 'row-alert' : undefined}>
                  <td>
                    {KIND_TEXT[run.kind]}
                    <span className="muted"> · {run.mode === 'auto' ? 'automatic' : 'notify'}</span>
                  </td>
                  <td>{formatDate(run.dueAt)}</td>
                  <td>
                    <StateBadge state={STATUS[run.status].badge}>{STATUS[run.status].text}</StateBadge>
                  </td>
                  <td>{plural(run.attempts, 'attempt')}</td>
                  <td>
                    <RunApps run={run} />
                  </td>
                  <td className="cell-wrap">
                    <RunOutcome run={run} />
                  </td>
                  <td>{formatDate(run.finishedAt ?? run.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {runs.items && items.length > 0 && (
        <ListFooter
          count={items.length}
          noun={items.length === 1 ? 'run' : 'runs'}
          hasMore={runs.hasMore}
          isLoading={runs.isLoading}
          onMore={runs.loadMore}
        />
      )}
    </Section>
  );
}
