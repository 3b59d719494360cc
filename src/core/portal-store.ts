/** Store port: Registration, sandboxes, signed URLs, webhooks and outbox delivery. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PortalStore {}
