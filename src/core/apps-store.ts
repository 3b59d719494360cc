/** Store port: Key-account lockout state, apps, app secrets, app tokens and stale-secret usage. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppsStore {}
