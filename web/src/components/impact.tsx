import type { ReactNode } from 'react';
import { request } from '../api/client';
import type { AppView, BundleView, ClientView, StaleUsageView, TokenView } from '../api/types';
import { formatAgo, plural } from '../lib/format';
import { useResource } from '../lib/use-resource';

export type ImpactAction = 'regenerate' | 'reset' | 'delete';

const DAY_MS = 86_400_000;

interface ImpactData {
  apps: AppView[];
  tokens: TokenView[];
  bundles: BundleView[];
  stale: StaleUsageView[];
}

async function loadImpact(client: ClientView): Promise<ImpactData> {
  const path = { id: client.id };
  const isOwnTba = client.profile === 'tba' && !client.bundleId;
  const [apps, tokens, bundles, stale] = await Promise.all([
    client.profile === 'apikey' ? request('get', '/v1/clients/{id}/apps', { path }).then((page) => page.items) : Promise.resolve([]),
    client.profile === 'tba'
      ? request('get', '/v1/clients/{id}/tokens', { path })
          .then((page) => page.items)
          .catch(() => [])
      : Promise.resolve([]),
    isOwnTba ? request('get', '/v1/clients/{id}/bundles', { path }).then((page) => page.items) : Promise.resolve([]),
    client.profile === 'apikey' ? request('get', '/v1/clients/{id}/stale-usage', { path }).then((page) => page.items) : Promise.resolve([]),
  ]);
  return { apps, tokens, bundles, stale };
}

/**
 * What a rotation, reset or delete will break, shown in its confirmation before anything happens
 * (SPEC §7): the apps that hold the secret, the tokens that will need the new pair, the accounts
 * that installed the record, and which versions were used in the last 24 hours and from where.
 */
export function Impact({
  client,
  action,
  graceSeconds = 0,
}: {
  client: ClientView;
  action: ImpactAction;
  graceSeconds?: number;
}): ReactNode {
  const data = useResource(`impact:${client.id}:${client.updatedAt}`, () => loadImpact(client));
  const now = Date.now();
  const recent = client.versions.filter(
    (version) => version.lastUsedAt && now - Date.parse(version.lastUsedAt) < DAY_MS && version.state !== 'revoked',
  );
  const installations = (data.data?.bundles ?? []).flatMap((bundle) => bundle.installations);
  const staleRecent = (data.data?.stale ?? []).filter((use) => now - Date.parse(use.lastSeenAt) < DAY_MS);
  const isImmediate = action !== 'regenerate' || graceSeconds === 0;

  return (
    <section className="impact">
      <h3>What this will break</h3>
      {data.isLoading && !data.data && <p className="muted">Checking what uses it…</p>}
      {data.error && <p className="muted">Could not check everything that uses it ({data.error.message}).</p>}
      <ul className="impact-list">
        {client.profile === 'apikey' &&
          data.data &&
          (data.data.apps.length > 0 ? (
            <li className="impact-warn">
              <strong>
                {plural(data.data.apps.length, 'app')} use{data.data.apps.length === 1 ? 's' : ''} this key account:
              </strong>{' '}
              {data.data.apps.map((app, index) => (
                <span key={app.id}>
                  {index > 0 ? ', ' : ''}
                  <strong className="app-name">{app.name}</strong> ({app.state})
                </span>
              ))}
              .
              {action === 'delete'
                ? ' They stop authenticating at once.'
                : isImmediate
                  ? ' Their stored secret stops working at once: undeploy them first, then update their App Secrets and deploy — or use Rotate with apps, which does it for you.'
                  : ' Their stored secret keeps working during the grace period; update their App Secrets before it ends.'}
            </li>
          ) : (
            <li>No app uses this key account.</li>
          ))}
        {client.profile === 'tba' && data.data && (
          <li className={data.data.tokens.length > 0 ? 'impact-warn' : undefined}>
            {action === 'delete'
              ? `${plural(data.data.tokens.length, 'token')} will be revoked.`
              : data.data.tokens.length > 0
                ? `${plural(data.data.tokens.length, 'token')} keep${data.data.tokens.length === 1 ? 's' : ''} working, but only with the new consumer key and secret: every integration using ${data.data.tokens.length === 1 ? 'it' : 'them'} needs the new pair.`
                : 'No token has been issued for this integration.'}
          </li>
        )}
        {installations.length > 0 && (
          <li className="impact-warn">
            Installed by {plural(installations.length, 'account')} ({installations.map((item) => item.accountId).join(', ')}):{' '}
            {action === 'delete' ? 'their installations stop working.' : 'they all switch to the new pair and are notified.'}
          </li>
        )}
        {client.profile === 'oauth' && action !== 'delete' && (
          <li>Access tokens already issued stay valid until they expire, unless you revoke them too.</li>
        )}
        {recent.length > 0 ? (
          <li className={isImmediate ? 'impact-warn' : undefined}>
            Used in the last 24 hours:{' '}
            {recent.map((version, index) => (
              <span key={version.versionId}>
                {index > 0 ? '; ' : ''}
                <code>{version.versionId}</code> ({version.state}) last used {formatAgo(version.lastUsedAt, now)}
              </span>
            ))}
            .{isImmediate && action !== 'delete' && ' Whoever sent those requests will be refused until they switch.'}
          </li>
        ) : (
          <li>No version was used in the last 24 hours.</li>
        )}
        {staleRecent.length > 0 && (
          <li className="impact-warn">
            Retired secrets were still presented in the last 24 hours:
            <ul>
              {staleRecent.map((use) => (
                <li key={`${use.versionId}|${use.address}|${use.appId ?? ''}|${use.userAgent ?? ''}`}>
                  from <code>{use.address}</code>
                  {use.appId ? (
                    <>
                      {' '}
                      (app <code>{use.appId}</code>)
                    </>
                  ) : null}
                  {use.userAgent ? `, ${use.userAgent}` : ''} — {plural(use.count, 'attempt')}, last {formatAgo(use.lastSeenAt, now)}, with{' '}
                  <code>{use.versionId}</code>
                </li>
              ))}
            </ul>
          </li>
        )}
      </ul>
    </section>
  );
}
