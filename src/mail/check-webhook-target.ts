import { invalid } from '../core/kernel/index.js';
import { resolveWebhookTarget, WebhookTargetRefused, type WebhookAllowList } from './webhook-target.js';

/**
 * The check run when a webhook is registered (POST /v1/webhooks, `rekey webhooks add`): a target
 * the SSRF guard refuses, or a host that does not resolve, is an invalid `/url`.
 */
export async function checkWebhookTarget(url: string, allow: WebhookAllowList): Promise<void> {
  try {
    await resolveWebhookTarget(url, allow);
  } catch (error) {
    throw invalid(
      '/url',
      error instanceof WebhookTargetRefused ? error.message : `The webhook host does not resolve (${(error as Error).message}).`,
    );
  }
}
