import type { Client } from './client.js';
import { viewVersion, type SecretVersion, type VersionView } from './secret-version.js';

/** The client as the control API shows it: settings and version metadata, never a secret or hash. */
export interface ClientView {
  id: string;
  accountId: string;
  profile: Client['profile'];
  name: string;
  state: Client['state'];
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  consumerKey?: string;
  locked?: boolean;
  failedAttempts?: number;
  versions: VersionView[];
  [field: string]: unknown;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

export function isLocked(client: Client, now: number): boolean {
  return client.lockedAt !== null && (client.lockedUntil === null || client.lockedUntil > now);
}

export function viewClient(client: Client, versions: readonly SecretVersion[], now: number): ClientView {
  const view: ClientView = {
    id: client.id,
    accountId: client.accountId,
    profile: client.profile,
    name: client.name,
    state: client.state,
    ...client.fields,
    createdAt: ISO(client.createdAt),
    updatedAt: ISO(client.updatedAt),
    versions: versions
      .filter((version) => version.state !== 'retired' || version.retiredAt === null || now - version.retiredAt < 30 * 86_400_000)
      .map((version) => viewVersion(version, now))
      .reverse(),
  };
  if (client.deletedAt !== null) view.deletedAt = ISO(client.deletedAt);
  if (client.profile === 'tba' && client.consumerKey) view.consumerKey = client.consumerKey;
  if (client.profile === 'apikey') {
    view.locked = isLocked(client, now);
    view.failedAttempts = client.failedAttempts;
  }
  return view;
}
