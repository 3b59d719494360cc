export { checkWebhookTarget } from './check-webhook-target.js';
export { startOutboxWorker, type OutboxWorker, type OutboxWorkerOptions, type OutboxWorkerStats } from './outbox-worker.js';
export { parseWebhookAllowList, type WebhookAllowList } from './webhook-target.js';
