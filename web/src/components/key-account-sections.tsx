import { useEffect, useRef, useState, type ReactNode } from 'react';
import { newIdempotencyKey, request } from '../api/client';
import type { AppView, ClientView, RotationStep } from '../api/types';
import { formatAgo, formatDate } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useResource } from '../lib/use-resource';
import { StateBadge } from './badge';
import { GraceChoice } from './client-dialogs';
import { ConfirmDialog } from './dialog';
import { ErrorMessage } from './error-message';
import { Loading, Section } from './page';

export function useAppsOfKeyAccount(client: ClientView): ReturnType<typeof useResource<{ items: AppView[] }>> {
  return useResource(`apps-of:${client.id}:${client.updatedAt}`, () =>
    request('get', '/v1/clients/{id}/apps', { path: { id: client.id } }),
  );
}

const SLOT_TEXT: Record<string, string> = {
  current: 'current secret',
  previous: 'previous secret (grace)',
  retired: 'retired secret — stale',
  revoked: 'revoked secret',
  expired: 'expired secret',
  unknown: 'unknown secret',
};

export function AppsOfKeyAccountSection({ client, apps }: { client: ClientView; apps: ReturnType<typeof useAppsOfKeyAccount> }): ReactNode {
  const items = apps.data?.items ?? [];
  return (
    <Section title="Apps using this key account">
      {apps.error && <ErrorMessage error={apps.error} />}
      {!apps.data && !apps.error && <Loading />}
      {apps.data && items.length === 0 && (
        <p className="empty">No app uses this key account (neither its app.config api_key_id nor an App Secret).</p>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">State</th>
                <th scope="col">How it uses the key</th>
              </tr>
            </thead>
            <tbody>
              {items.map((app) => {
                const slots = app.secrets.filter((secret) => secret.keyAccountId === client.id);
                return (
                  <tr key={app.id}>
                    <td>
                      <Link to={`/apps/${encodeURIComponent(app.id)}`}>{app.name}</Link>
                    </td>
                    <td>
                      <StateBadge state={app.state === 'deployed' ? 'current' : 'retired'}>
                        {app.state === 'deployed' ? 'Deployed' : 'Undeployed'}
                      </StateBadge>
                    </td>
                    <td>
                      {app.config.apiKeyId === client.id && <span>app.config api_key_id. </span>}
                      {slots.map((slot) => (
                        <span key={slot.name}>
                          App Secret <code>{slot.name}</code> holds the {SLOT_TEXT[slot.versionState] ?? slot.versionState}.{' '}
                        </span>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

/** Who still presents a retired secret (SPEC §4.5), most recent first: the hint for what to update. */
export function StaleUsageSection({ client }: { client: ClientView }): ReactNode {
  const usage = useResource(`stale:${client.id}:${client.updatedAt}`, () =>
    request('get', '/v1/clients/{id}/stale-usage', { path: { id: client.id } }),
  );
  const now = Date.now();
  const items = usage.data?.items ?? [];
  return (
    <Section title="Stale-secret usage">
      {usage.error && <ErrorMessage error={usage.error} />}
      {usage.data && items.length === 0 && <p className="empty">Nobody has presented a retired secret of this key account.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Retired version</th>
                <th scope="col">From address</th>
                <th scope="col">App (as sent)</th>
                <th scope="col">User agent</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((use) => (
                <tr key={`${use.versionId}|${use.address}|${use.appId ?? ''}|${use.userAgent ?? ''}`}>
                  <td>
                    <code className="id">{use.versionId}</code>
                  </td>
                  <td>
                    <code>{use.address}</code>
                  </td>
                  <td>{use.appId ?? '—'}</td>
                  <td className="cell-wrap">{use.userAgent ?? '—'}</td>
                  <td>{use.count}</td>
                  <td title={formatDate(use.lastSeenAt)}>{formatAgo(use.lastSeenAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

type StepState = 'pending' | 'done' | 'skipped' | 'failed';
interface Progress {
  apps: Array<{ id: string; name: string; wasDeployed: boolean; steps: Record<RotationStep['step'], StepState> }>;
  isRunning: boolean;
  versionId?: string;
  error?: unknown;
}

const STEP_TEXT: Record<RotationStep['step'], string> = {
  undeploy: 'Undeploy',
  write_secret: 'Write the new secret into its App Secrets',
  deploy: 'Deploy again',
};

/**
 * Seed 002's procedure as one guided operation (POST /v1/clients/{id}/rotate-with-apps): undeploy the
 * apps → regenerate → write each slot → deploy. While it runs, the apps are re-read every half second,
 * so each step shows as it happens; the final answer then confirms every step.
 */
export function GuidedRotation({
  client,
  apps,
  open,
  onClose,
  onFinished,
}: {
  client: ClientView;
  apps: AppView[];
  open: boolean;
  onClose: () => void;
  onFinished: () => void;
}): ReactNode {
  const { can } = useSession();
  const [graceSeconds, setGraceSeconds] = useState(0);
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const poller = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  useEffect(() => () => clearInterval(poller.current), []);

  const start = async (): Promise<void> => {
    const plan: Progress = {
      isRunning: true,
      apps: apps.map((app) => ({
        id: app.id,
        name: app.name,
        wasDeployed: app.state === 'deployed',
        steps: { undeploy: 'pending', write_secret: 'pending', deploy: 'pending' },
      })),
    };
    setProgress(plan);
    onClose();
    const before = new Map(
      apps.map((app) => [
        app.id,
        app.secrets
          .filter((slot) => slot.keyAccountId === client.id)
          .map((slot) => slot.versionId)
          .join(','),
      ]),
    );
    poller.current = setInterval(() => {
      void Promise.all(plan.apps.map((app) => request('get', '/v1/apps/{id}', { path: { id: app.id } }).catch(() => undefined))).then(
        (views) => {
          setProgress((current) => {
            if (!current?.isRunning) return current;
            return {
              ...current,
              apps: current.apps.map((app, index) => {
                const view = views[index];
                if (!view) return app;
                const written =
                  view.secrets
                    .filter((slot) => slot.keyAccountId === client.id)
                    .map((slot) => slot.versionId)
                    .join(',') !== before.get(app.id);
                const steps = { ...app.steps };
                if (app.wasDeployed && (view.state === 'undeployed' || written)) steps.undeploy = 'done';
                if (written) steps.write_secret = 'done';
                if (app.wasDeployed && written && view.state === 'deployed') steps.deploy = 'done';
                return { ...app, steps };
              }),
            };
          });
        },
      );
    }, 500);
    try {
      const result = await request('post', '/v1/clients/{id}/rotate-with-apps', {
        path: { id: client.id },
        body: { graceSeconds },
        idempotencyKey: newIdempotencyKey(),
      });
      setProgress(
        (current) =>
          current && {
            isRunning: false,
            versionId: result.versionId,
            apps: current.apps.map((app) => {
              const steps = { ...app.steps };
              for (const step of result.steps.filter((item) => item.appId === app.id)) steps[step.step] = step.status;
              for (const name of Object.keys(steps) as Array<RotationStep['step']>) if (steps[name] === 'pending') steps[name] = 'skipped';
              return { ...app, steps };
            }),
          },
      );
    } catch (error) {
      setProgress((current) => current && { ...current, isRunning: false, error });
    } finally {
      clearInterval(poller.current);
      onFinished();
    }
  };

  return (
    <>
      <ConfirmDialog open={open && can('credentials.manage')} title="Rotate with apps" onConfirm={start} onCancel={onClose} isDanger>
        <p>
          Rotate the secret of <strong className="target">{client.name}</strong> (<code>{client.id}</code>) and hand it to its apps, as seed
          002 describes, in one go:
        </p>
        <ol className="plain-steps">
          <li>
            Undeploy{' '}
            {apps
              .filter((app) => app.state === 'deployed')
              .map((app) => app.name)
              .join(', ') || 'no deployed app'}
            ;
          </li>
          <li>regenerate the secret (the API Key ID stays);</li>
          <li>write it into every App Secret that references this key account ({apps.map((app) => app.name).join(', ') || 'none'});</li>
          <li>deploy the apps that were deployed.</li>
        </ol>
        <p className="muted">
          If a step fails, it stops there: every app is left either deployed with a working secret or undeployed. The new secret is never
          shown — it goes straight to the apps.
        </p>
        <GraceChoice value={graceSeconds} onChange={setGraceSeconds} name={`rotate-grace-${client.id}`} />
      </ConfirmDialog>
      {progress && (
        <Section title="Guided rotation">
          <p
            role="status"
            aria-live="polite"
            className={progress.error ? 'notice notice-error' : progress.isRunning ? 'notice notice-info' : 'notice notice-success'}
          >
            {progress.isRunning ? (
              'Rotating…'
            ) : progress.error ? (
              'The rotation stopped.'
            ) : (
              <>
                Done: version <code>{progress.versionId}</code> is current and every app holds it.
              </>
            )}
          </p>
          {progress.error !== undefined && <ErrorMessage error={progress.error} />}
          {progress.apps.length === 0 && <p className="muted">No app referenced this key account: only the secret was regenerated.</p>}
          <ul className="rotation-apps">
            {progress.apps.map((app) => (
              <li key={app.id}>
                <strong>{app.name}</strong>
                <ol className="rotation-steps">
                  {(Object.keys(STEP_TEXT) as Array<RotationStep['step']>)
                    .filter((step) => app.wasDeployed || step === 'write_secret')
                    .map((step) => (
                      <li key={step} className={`step step-${app.steps[step]}`}>
                        <span className="step-icon" aria-hidden="true" />
                        {STEP_TEXT[step]} —{' '}
                        <span className="step-state">
                          {app.steps[step] === 'pending' ? (progress.isRunning ? 'waiting' : 'not run') : app.steps[step]}
                        </span>
                      </li>
                    ))}
                </ol>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}
