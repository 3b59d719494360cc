/** Store port: OAuth 2.0: token signing keys and revoked or issued access tokens. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OAuthStore {}
