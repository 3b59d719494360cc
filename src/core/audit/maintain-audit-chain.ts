import type { CoreDeps } from '../kernel/core-deps.js';
import { notifyWebhooks } from '../notify/notify-account.js';
import { AGGREGATE_SETTLE_MS, CHECKPOINT_INTERVAL_MS } from './audit-chain.js';
import { auditSealOf } from './audit-link.js';

/** Accounts whose head is published per run; the rest wait for the next run. */
const CHECKPOINTS_PER_RUN = 500;

/**
 * The periodic part of the audit chain (SPEC §12), run by every node (each step is safe to race):
 * links the aggregated events whose minute has settled, and rows written before the chain existed;
 * then publishes each changed chain head as the `audit.checkpoint` webhook, at most hourly per account.
 */
export async function maintainAuditChain(deps: CoreDeps): Promise<{ chained: number; checkpoints: number }> {
  const now = deps.clock.now();
  const chained = await deps.store.chainPendingAuditEvents(now - AGGREGATE_SETTLE_MS, auditSealOf(deps.keyring));
  let checkpoints = 0;
  for (const head of await deps.store.listAuditHeadsToCheckpoint(now - CHECKPOINT_INTERVAL_MS, CHECKPOINTS_PER_RUN)) {
    await deps.store.transaction(async (tx) => {
      // The conditional update decides which node publishes; the loser's transaction queues nothing.
      if (!(await tx.markAuditCheckpoint(head.accountId, head.seq, now, now - CHECKPOINT_INTERVAL_MS))) return;
      await notifyWebhooks(deps, tx, head.accountId, 'audit.checkpoint', {
        seq: head.seq,
        hash: head.hash,
        at: new Date(now).toISOString(),
      });
      checkpoints++;
    });
  }
  return { chained, checkpoints };
}
