import { useId, type ReactNode } from 'react';
import { ApiError, request } from '../api/client';
import type { VersionView } from '../api/types';
import { useResource } from '../lib/use-resource';
import { ErrorMessage } from './error-message';

const HOURS = 24;
const WIDTH = 720;
const HEIGHT = 180;
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };
const COLOURS: Record<string, string> = { current: '#1f4fd1', previous: '#c26a00', retired: '#b3261e', revoked: '#6b7280' };

function niceMax(value: number): number {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/**
 * Verifications per version per hour over the last 24 hours, as stacked bars: during a grace period
 * the old secret's traffic should drain to zero before the grace ends. Drawn as plain SVG.
 */
export function UsageChart({ clientId, versions }: { clientId: string; versions: VersionView[] }): ReactNode {
  const id = useId();
  const usage = useResource(`usage:${clientId}`, async () => {
    try {
      return await request('get', '/v1/clients/{id}/usage', { path: { id: clientId }, query: { hours: String(HOURS) } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  });

  if (usage.isLoading && !usage.data) return <p className="muted">Loading usage…</p>;
  if (usage.error) return <ErrorMessage error={usage.error} title="Usage could not be loaded" />;
  const buckets = usage.data?.buckets ?? [];
  if (!usage.data || buckets.length === 0) return <p className="empty">No usage data yet</p>;

  const lastHour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const hours = Array.from({ length: HOURS }, (_, index) => lastHour - (HOURS - 1 - index) * 3_600_000);
  const stateOf = new Map(versions.map((version) => [version.versionId, version.state] as const));
  const versionIds = [...new Set(buckets.map((bucket) => bucket.versionId))];
  const counts = new Map<string, number>();
  for (const bucket of buckets) {
    const key = `${Math.floor(Date.parse(bucket.hour) / 3_600_000) * 3_600_000}|${bucket.versionId}`;
    counts.set(key, (counts.get(key) ?? 0) + bucket.count);
  }
  const totals = hours.map((hour) => versionIds.reduce((sum, versionId) => sum + (counts.get(`${hour}|${versionId}`) ?? 0), 0));
  const max = niceMax(Math.max(...totals, 1));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / HOURS;
  const y = (value: number): number => PAD.top + plotHeight - (value / max) * plotHeight;
  const colourOf = (versionId: string): string => COLOURS[stateOf.get(versionId) ?? 'retired'] ?? '#6b7280';
  const hourLabel = (ms: number): string => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart-svg">
        <title id={`${id}-title`}>Verifications per hour, last 24 hours</title>
        <desc id={`${id}-desc`}>
          {versionIds
            .map(
              (versionId) =>
                `${versionId}: ${buckets.filter((bucket) => bucket.versionId === versionId).reduce((sum, bucket) => sum + bucket.count, 0)}`,
            )
            .join('; ')}
        </desc>
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * fraction)} y2={y(max * fraction)} className="chart-grid" />
            <text x={PAD.left - 6} y={y(max * fraction) + 4} textAnchor="end" className="chart-label">
              {Math.round(max * fraction)}
            </text>
          </g>
        ))}
        {hours.map((hour, index) => {
          let base = 0;
          return (
            <g key={hour}>
              {versionIds.map((versionId) => {
                const count = counts.get(`${hour}|${versionId}`) ?? 0;
                if (count === 0) return null;
                const top = y(base + count);
                const height = y(base) - top;
                base += count;
                return (
                  <rect
                    key={versionId}
                    x={PAD.left + index * slot + 2}
                    y={top}
                    width={Math.max(1, slot - 4)}
                    height={height}
                    fill={colourOf(versionId)}
                  >
                    <title>{`${hourLabel(hour)} · ${versionId}: ${count}`}</title>
                  </rect>
                );
              })}
              {index % 4 === 0 && (
                <text x={PAD.left + index * slot + slot / 2} y={HEIGHT - 8} textAnchor="middle" className="chart-label">
                  {hourLabel(hour)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="chart-legend">
          {versionIds.map((versionId) => (
            <li key={versionId}>
              <span className="swatch" style={{ background: colourOf(versionId) }} aria-hidden="true" />
              <code>{versionId}</code> {stateOf.get(versionId) ?? 'retired'}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
