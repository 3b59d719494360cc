import { useEffect, useRef, type ReactNode } from 'react';
import type { ClientView, VersionView } from '../api/types';
import { formatAgo, formatDate, formatDuration } from '../lib/format';
import { useNow } from '../lib/use-resource';

const STATE_TEXT: Record<VersionView['state'], string> = {
  current: 'Current',
  previous: 'Previous (grace)',
  retired: 'Retired',
  revoked: 'Revoked',
};

function GraceCountdown({ version, startedAt, now }: { version: VersionView; startedAt: number | undefined; now: number }): ReactNode {
  const until = Date.parse(version.graceUntil ?? '');
  const left = Math.max(0, (until - now) / 1000);
  const total = startedAt !== undefined ? Math.max(1, (until - startedAt) / 1000) : undefined;
  return (
    <div className="grace">
      <p>
        {left > 0 ? (
          <>
            Still accepted for <strong className="countdown">{formatDuration(left)}</strong> (until {formatDate(version.graceUntil)}).
          </>
        ) : (
          <>Grace period over: this secret is now refused.</>
        )}
      </p>
      {total !== undefined && (
        <div
          className="grace-bar"
          role="progressbar"
          aria-label="Grace period left"
          aria-valuemin={0}
          aria-valuemax={Math.round(total)}
          aria-valuenow={Math.round(left)}
          aria-valuetext={`${formatDuration(left)} left`}
        >
          <div className="grace-bar-fill" style={{ width: `${Math.min(100, (left / total) * 100)}%` }} />
        </div>
      )}
    </div>
  );
}

/**
 * Every secret version of a client, newest first (SPEC §7): current, previous with a live grace
 * countdown, retired, revoked, each with its last use. `onGraceEnded` fires once when a countdown
 * reaches zero, so the page can re-read the client.
 */
export function VersionTimeline({
  client,
  onRevoke,
  onGraceEnded,
}: {
  client: ClientView;
  onRevoke?: (version: VersionView) => void;
  onGraceEnded?: () => void;
}): ReactNode {
  const now = useNow(1000);
  const versions = client.versions;
  const reported = useRef(new Set<string>());

  useEffect(() => {
    for (const version of versions) {
      if (
        version.state === 'previous' &&
        version.graceUntil &&
        Date.parse(version.graceUntil) <= now &&
        !reported.current.has(version.versionId)
      ) {
        reported.current.add(version.versionId);
        onGraceEnded?.();
      }
    }
  }, [now, versions, onGraceEnded]);

  if (versions.length === 0)
    return <p className="muted">No secret versions: this client has no credentials until it is registered or regenerated.</p>;
  return (
    <ol className="timeline">
      {versions.map((version, index) => {
        const isExpired = version.expiresAt !== undefined && Date.parse(version.expiresAt) <= now;
        const newer = versions[index - 1];
        return (
          <li
            key={version.versionId}
            className={`timeline-item state-${version.state}`}
            data-version-id={version.versionId}
            data-state={version.state}
          >
            <div className="timeline-marker" aria-hidden="true" />
            <div className="timeline-content">
              <div className="timeline-head">
                <span className={`badge badge-${version.state}`}>{STATE_TEXT[version.state]}</span>
                <code className="id">{version.versionId}</code>
                {isExpired && <span className="badge badge-retired">Expired</span>}
                {onRevoke && version.state !== 'revoked' && client.state !== 'deleted' && (
                  <button
                    type="button"
                    className="button button-small button-quiet"
                    onClick={() => onRevoke(version)}
                    aria-label={`Revoke version ${version.versionId}`}
                  >
                    Revoke
                  </button>
                )}
              </div>
              <dl className="timeline-facts">
                <div>
                  <dt>Created</dt>
                  <dd>{formatDate(version.createdAt)}</dd>
                </div>
                <div>
                  <dt>Last used</dt>
                  <dd title={version.lastUsedAt}>{formatAgo(version.lastUsedAt, now)}</dd>
                </div>
                <div>
                  <dt>Uses</dt>
                  <dd>{version.useCount.toLocaleString()}</dd>
                </div>
                {version.expiresAt && (
                  <div>
                    <dt>{isExpired ? 'Expired' : 'Expires'}</dt>
                    <dd>{formatDate(version.expiresAt)}</dd>
                  </div>
                )}
              </dl>
              {version.state === 'previous' && (
                <GraceCountdown version={version} startedAt={newer ? Date.parse(newer.createdAt) : undefined} now={now} />
              )}
              {version.state === 'retired' && (
                <p className="muted">
                  Superseded: refused with <code>stale_secret</code>; kept 30 days to tell who still uses it.
                </p>
              )}
              {version.state === 'revoked' && (
                <p className="muted">
                  Revoked: refused with <code>revoked</code>; signed URLs made with it died too.
                </p>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
