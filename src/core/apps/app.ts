import { versionVerdict, effectiveState, type SecretVersion, type VersionState } from '../credentials/secret-version.js';

/** An app (seed 002's App Host): a deployable consumer of key accounts (SPEC §1). */
export type AppState = 'deployed' | 'undeployed';

export interface App {
  id: string;
  accountId: string;
  name: string;
  /** `config.apiKeyId`: the key account the app authenticates with, as its app.config names it. */
  apiKeyId: string | null;
  state: AppState;
  /** Pepper-keyed hash of the app token (`rk_app_…`); null until one is issued. */
  tokenHash: string | null;
  tokenCreatedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A named slot holding the secret value an app uses for one key account, encrypted at rest. */
export interface AppSecret {
  appId: string;
  name: string;
  keyAccountId: string;
  /** AES-256-GCM under the data key, AAD = appSecretAad(appId, name). */
  valueCiphertext: string;
  /** The key-account version the value belongs to, found by its hash when written. */
  versionId: string | null;
  updatedAt: number;
}

export const SLOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_SLOTS_PER_APP = 50;

/** Binds a slot's ciphertext to its app and slot name, so a copied ciphertext decrypts nowhere else. */
export function appSecretAad(appId: string, name: string): string {
  return `app\u0000${appId}\u0000${name}`;
}

/** How a slot's value fares against its key account now: the state of the version it holds. */
export type SlotHealth = VersionState | 'expired' | 'unknown';

export function slotHealth(secret: Pick<AppSecret, 'versionId'>, versions: readonly SecretVersion[], now: number): SlotHealth {
  const version = versions.find((candidate) => candidate.id === secret.versionId);
  if (!version) return 'unknown';
  if (versionVerdict(version, now) === 'expired') return 'expired';
  return effectiveState(version, now);
}

/** True when a slot's value authenticates right now. */
export function isSlotWorking(secret: Pick<AppSecret, 'versionId'>, versions: readonly SecretVersion[], now: number): boolean {
  const version = versions.find((candidate) => candidate.id === secret.versionId);
  return version !== undefined && versionVerdict(version, now) === 'ok';
}

export interface AppSecretView {
  name: string;
  keyAccountId: string;
  versionId?: string;
  /** `current`/`previous` work; `retired` means the app runs a stale secret. */
  versionState: SlotHealth;
  updatedAt: string;
}

/** An app as people see it: slot metadata, never a value; never the token or its hash. */
export interface AppView {
  id: string;
  name: string;
  config: { apiKeyId?: string };
  state: AppState;
  secrets: AppSecretView[];
  hasToken: boolean;
  tokenCreatedAt?: string;
  createdAt: string;
  updatedAt: string;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

export function viewApp(
  app: App,
  secrets: readonly AppSecret[],
  versionsOf: (keyAccountId: string) => readonly SecretVersion[],
  now: number,
): AppView {
  const view: AppView = {
    id: app.id,
    name: app.name,
    config: app.apiKeyId !== null ? { apiKeyId: app.apiKeyId } : {},
    state: app.state,
    secrets: secrets.map((secret) => ({
      name: secret.name,
      keyAccountId: secret.keyAccountId,
      ...(secret.versionId !== null ? { versionId: secret.versionId } : {}),
      versionState: slotHealth(secret, versionsOf(secret.keyAccountId), now),
      updatedAt: ISO(secret.updatedAt),
    })),
    hasToken: app.tokenHash !== null,
    createdAt: ISO(app.createdAt),
    updatedAt: ISO(app.updatedAt),
  };
  if (app.tokenCreatedAt !== null) view.tokenCreatedAt = ISO(app.tokenCreatedAt);
  return view;
}

/** Whether an app uses a key account: through its config or any slot. */
export function appUsesKeyAccount(app: App, secrets: readonly AppSecret[], keyAccountId: string): boolean {
  return app.apiKeyId === keyAccountId || secrets.some((secret) => secret.keyAccountId === keyAccountId);
}
