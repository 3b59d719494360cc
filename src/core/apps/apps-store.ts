import type { App, AppSecret } from './app.js';

/** Store port: apps, their app tokens and their secret slots. */
export interface AppsStore {
  insertApp(app: App): Promise<void>;
  updateApp(app: App): Promise<void>;
  deleteApp(id: string): Promise<void>;
  getApp(id: string): Promise<App | null>;
  findAppByTokenHash(tokenHash: string): Promise<App | null>;
  /** An account's apps, oldest first; with `keyAccountId`, only those that use that key account. */
  listApps(accountId: string, filter: { keyAccountId?: string; limit: number }): Promise<App[]>;
  listAppSecrets(appId: string): Promise<AppSecret[]>;
  putAppSecret(secret: AppSecret): Promise<void>;
  deleteAppSecret(appId: string, name: string): Promise<boolean>;
}
