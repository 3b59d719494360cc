/** Store port: Integration records (tba): tokens, bundles, console sessions and sign-in throttles. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TbaStore {}
