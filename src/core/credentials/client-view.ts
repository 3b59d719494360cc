import type { Client } from './client.js';
import { descriptorOf } from './profiles/registry.js';
import { viewRotation, type RotationPolicy } from './rotation-policy.js';
import { viewVersion, type SecretVersion, type VersionView } from './secret-version.js';

export { isLocked } from './profiles/apikey.js';

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
  lockedSources?: number;
  rotationPolicy: RotationPolicy | null;
  rotationDueAt?: string;
  rotationDue?: boolean;
  versions: VersionView[];
  [field: string]: unknown;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

/** Retired versions stay in the view for 30 days. */
const RETIRED_SHOWN_MS = 30 * 86_400_000;

/** `lockedSources`: for key accounts, how many sources are locked at `now` (the caller reads it from the store). */
export function viewClient(client: Client, versions: readonly SecretVersion[], now: number, lockedSources = 0): ClientView {
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
      .filter((version) => version.state !== 'retired' || version.retiredAt === null || now - version.retiredAt < RETIRED_SHOWN_MS)
      .map((version) => viewVersion(version, now))
      .reverse(),
    ...viewRotation(client.rotationPolicy, versions, now),
  };
  if (client.deletedAt !== null) view.deletedAt = ISO(client.deletedAt);
  return Object.assign(view, descriptorOf(client).view({ ...client, lockedSources }, now));
}
