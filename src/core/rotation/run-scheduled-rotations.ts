import type { CoreDeps } from '../kernel/core-deps.js';
import { newId } from '../kernel/new-id.js';
import type { Client } from '../credentials/client.js';
import { recordAudit } from '../audit/record-audit.js';
import { notifyAdministrators } from '../notify/notify-account.js';
import { rotationDueAt, rotationWarnAt, type RotationPolicy } from '../credentials/rotation-policy.js';
import { executeRotation } from './auto-rotation.js';
import { ROTATION_LEASE_MS, ROTATION_SCHEDULER } from './rotation-lease.js';
import type { RotationRun } from './rotation-run.js';

/** What one pass of the scheduler did. */
export interface SchedulerPass {
  warned: number;
  markedDue: number;
  rotated: number;
  failed: number;
}

const PAGE = 200;

/**
 * One pass of the rotation scheduler (SPEC §12). Every node runs it every minute; each action is
 * claimed first by inserting its (client, due date, kind) row — or, for a retry or a crashed run, by
 * a conditional update of it — so two nodes never act twice on one due date. Failures of one client
 * never stop the others.
 */
export async function runScheduledRotations(deps: CoreDeps): Promise<SchedulerPass> {
  const pass: SchedulerPass = { warned: 0, markedDue: 0, rotated: 0, failed: 0 };
  const count = (run: RotationRun): void => {
    if (run.status === 'succeeded') pass.rotated++;
    else if (run.status === 'failed') pass.failed++;
  };
  for (const run of await deps.store.listResumableRotationRuns(deps.clock.now(), PAGE)) {
    const resumed = await resumeRun(deps, run).catch(() => null);
    if (resumed) count(resumed);
  }
  let after: string | null = null;
  for (;;) {
    const clients = await deps.store.listClientsWithRotationPolicy(after, PAGE);
    for (const client of clients) {
      const done = await considerClient(deps, client).catch(() => null);
      if (done === 'warned') pass.warned++;
      else if (done === 'due') pass.markedDue++;
      else if (done && typeof done === 'object') count(done);
    }
    if (clients.length < PAGE) break;
    after = clients[clients.length - 1]!.id;
  }
  return pass;
}

async function considerClient(deps: CoreDeps, client: Client): Promise<'warned' | 'due' | RotationRun | null> {
  const policy = client.rotationPolicy;
  if (!policy || client.state !== 'active') return null;
  const dueAt = rotationDueAt(policy, await deps.store.listVersions(client.id));
  if (dueAt === null) return null;
  const now = deps.clock.now();
  const warnAt = rotationWarnAt(policy, dueAt);
  if (now < dueAt) return warnAt !== null && now >= warnAt && (await notice(deps, client, policy, dueAt, 'warn')) ? 'warned' : null;
  if (policy.mode === 'notify') return (await notice(deps, client, policy, dueAt, 'due')) ? 'due' : null;
  const run = newRun(deps, client, policy, dueAt, 'rotate');
  if (!(await deps.store.insertRotationRun(run))) return null;
  return executeRotation(deps, run, policy.graceSeconds);
}

function newRun(deps: CoreDeps, client: Client, policy: RotationPolicy, dueAt: number, kind: RotationRun['kind']): RotationRun {
  const now = deps.clock.now();
  const rotating = kind === 'rotate';
  return {
    id: newId('rot', deps.random),
    accountId: client.accountId,
    clientId: client.id,
    dueAt,
    kind,
    mode: policy.mode,
    status: rotating ? 'running' : 'notified',
    attempts: 1,
    leaseUntil: rotating ? now + ROTATION_LEASE_MS : null,
    nextAttemptAt: null,
    versionId: null,
    plan: null,
    detail: {},
    startedAt: now,
    updatedAt: now,
    finishedAt: rotating ? null : now,
  };
}

/** The warning before a due date, or the notify policy's "due" notice: claimed, audited and sent in one transaction. */
async function notice(deps: CoreDeps, client: Client, policy: RotationPolicy, dueAt: number, kind: 'warn' | 'due'): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    const run = newRun(deps, client, policy, dueAt, kind);
    if (!(await tx.insertRotationRun(run))) return false;
    const due = new Date(dueAt).toISOString();
    const type = kind === 'warn' ? 'rotation.upcoming' : 'rotation.due';
    await recordAudit(deps, tx, {
      accountId: client.accountId,
      type,
      actor: ROTATION_SCHEDULER,
      clientId: client.id,
      data: { rotationRunId: run.id, dueAt: due, mode: policy.mode },
    });
    const what =
      kind === 'due'
        ? `The secret of client ${client.id} (${client.name}) was due for rotation at ${due} and is now marked rotationDue. Regenerate it (or reset it) and hand the new secret to whoever uses it.`
        : policy.mode === 'auto'
          ? `Key account ${client.id} (${client.name}) will be rotated automatically at ${due}: Rekey regenerates it with a ${policy.graceSeconds} s grace and writes the new secret into the apps that hold it.`
          : `The secret of client ${client.id} (${client.name}) is due for rotation at ${due}.`;
    await notifyAdministrators(deps, tx, client.accountId, type, {
      subject: kind === 'due' ? `Rotation of ${client.name} is due` : `Rotation of ${client.name} due ${due}`,
      text: what,
      clientId: client.id,
      details: { rotationRunId: run.id, dueAt: due, mode: policy.mode },
    });
    return true;
  });
}

/**
 * A rotate run another node should pick up: a failed one whose retry day came (a new attempt, so a
 * new secret) or a running one whose node stopped writing progress (the same attempt, resumed).
 */
async function resumeRun(deps: CoreDeps, run: RotationRun): Promise<RotationRun | null> {
  const now = deps.clock.now();
  const client = await deps.store.getClient(run.clientId);
  const policy = client?.rotationPolicy;
  if (run.status === 'failed') {
    if (!client || client.state !== 'active' || policy?.mode !== 'auto') {
      // The policy was removed (or the client deleted) since: nothing to retry.
      const stopped = { ...run, nextAttemptAt: null, updatedAt: now };
      await deps.store.replaceRotationRun(stopped, run);
      return null;
    }
    const retry: RotationRun = {
      ...run,
      status: 'running',
      attempts: run.attempts + 1,
      leaseUntil: now + ROTATION_LEASE_MS,
      nextAttemptAt: null,
      // The version and plan stay: the retry hands out the same secret if it is still current.
      detail: {},
      updatedAt: now,
      finishedAt: null,
    };
    if (!(await deps.store.replaceRotationRun(retry, run))) return null;
    return executeRotation(deps, retry, policy.graceSeconds);
  }
  const taken: RotationRun = { ...run, leaseUntil: now + ROTATION_LEASE_MS, updatedAt: now };
  if (!(await deps.store.replaceRotationRun(taken, run))) return null;
  // A planned run keeps its plan's grace, so its regenerate replays under the same key and request.
  return executeRotation(deps, taken, policy?.graceSeconds ?? 0);
}
