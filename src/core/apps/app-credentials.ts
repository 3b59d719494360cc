import { appSecretAad, type App } from './app.js';
import type { CoreDeps } from '../kernel/core-deps.js';
import { isWellFormedCredential } from '../kernel/credential-format.js';
import { RekeyError } from '../kernel/errors.js';

export interface AppCredentials {
  appId: string;
  name: string;
  state: App['state'];
  secrets: Array<{ name: string; keyAccountId: string; value: string; versionId?: string }>;
}

/** Resolves an app token (`rk_app_…`) to its app; malformed tokens are refused before any lookup. */
export async function authenticateAppToken(deps: Pick<CoreDeps, 'store' | 'keyring'>, token: string): Promise<App> {
  if (!isWellFormedCredential(token, 'appToken'))
    throw new RekeyError('malformed_credential', 'The bearer token is not a Rekey app token (rk_app_…).');
  const app = await deps.store.findAppByTokenHash(deps.keyring.hash(token));
  if (!app) throw new RekeyError('bad_secret', 'The app token is not recognised; it may have been replaced.');
  return app;
}

/**
 * GET /v1/app/credentials: the one read that returns secrets after issuance (SPEC §2), and only a
 * running app's own slot values. An undeployed app gets none — it is not supposed to run, and a
 * stopped app retrying an old secret is what locks key accounts.
 */
export async function fetchAppCredentials(deps: Pick<CoreDeps, 'store' | 'keyring'>, token: string): Promise<AppCredentials> {
  const app = await authenticateAppToken(deps, token);
  if (app.state !== 'deployed') {
    throw new RekeyError('conflict', 'This app is undeployed; it receives its secrets again once it is deployed.', {
      appId: app.id,
      state: app.state,
    });
  }
  const secrets = await deps.store.listAppSecrets(app.id);
  return {
    appId: app.id,
    name: app.name,
    state: app.state,
    secrets: secrets.map((secret) => ({
      name: secret.name,
      keyAccountId: secret.keyAccountId,
      value: deps.keyring.decrypt(secret.valueCiphertext, appSecretAad(app.id, secret.name)),
      ...(secret.versionId !== null ? { versionId: secret.versionId } : {}),
    })),
  };
}
