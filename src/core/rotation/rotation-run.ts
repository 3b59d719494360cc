/** What a run does: rotate (auto), warn before the due date, or mark the client due (notify). */
export type RotationRunKind = 'rotate' | 'warn' | 'due';
export type RotationRunStatus = 'running' | 'succeeded' | 'failed' | 'notified';

/** One app's part in a rotate run: which slots got the new secret, and whether it was redeployed. */
export interface RotationRunApp {
  appId: string;
  slots: string[];
  status: 'pending' | 'updated' | 'restored' | 'failed';
  redeployed: boolean;
}

/** What a run did, for people: never a secret. */
export interface RotationRunDetail {
  apps?: RotationRunApp[];
  error?: string;
  oldSecretExpiresAt?: string;
}

/** The slots a rotate run may change, as they were before it: what a failure restores. Never shown. */
export interface RotationPlanSlot {
  name: string;
  valueCiphertext: string;
  versionId: string | null;
  updatedAt: number;
}

export interface RotationPlan {
  /** The grace the run regenerates with, fixed when planned so a resumed run replays the same request. */
  graceSeconds: number;
  /** The secret the run issued, encrypted (AAD: the run): a resumed run or a retry hands out the same one. */
  secretCiphertext?: string;
  apps: Array<{ appId: string; slots: RotationPlanSlot[] }>;
}

/** One scheduler run about one (client, due date, kind): the row that makes it happen once. */
export interface RotationRun {
  id: string;
  accountId: string;
  clientId: string;
  dueAt: number;
  kind: RotationRunKind;
  mode: 'auto' | 'notify';
  status: RotationRunStatus;
  /** Rotate runs: 1 on the first try, +1 on each daily retry after a failure. */
  attempts: number;
  /** While `running`: another node may take the run over (a crash) once this has passed. */
  leaseUntil: number | null;
  /** After `failed`: when the retry is due. */
  nextAttemptAt: number | null;
  versionId: string | null;
  plan: RotationPlan | null;
  detail: RotationRunDetail;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface RotationRunView {
  id: string;
  clientId: string;
  kind: RotationRunKind;
  mode: 'auto' | 'notify';
  dueAt: string;
  status: RotationRunStatus;
  attempts: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  nextAttemptAt?: string;
  versionId?: string;
  apps?: RotationRunApp[];
  error?: string;
  oldSecretExpiresAt?: string;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

export function viewRotationRun(run: RotationRun): RotationRunView {
  const view: RotationRunView = {
    id: run.id,
    clientId: run.clientId,
    kind: run.kind,
    mode: run.mode,
    dueAt: ISO(run.dueAt),
    status: run.status,
    attempts: run.attempts,
    startedAt: ISO(run.startedAt),
    updatedAt: ISO(run.updatedAt),
  };
  if (run.finishedAt !== null) view.finishedAt = ISO(run.finishedAt);
  if (run.status === 'failed' && run.nextAttemptAt !== null) view.nextAttemptAt = ISO(run.nextAttemptAt);
  if (run.versionId !== null) view.versionId = run.versionId;
  if (run.detail.apps) view.apps = run.detail.apps.map((app) => ({ ...app, slots: [...app.slots] }));
  if (run.detail.error) view.error = run.detail.error;
  if (run.detail.oldSecretExpiresAt) view.oldSecretExpiresAt = run.detail.oldSecretExpiresAt;
  return view;
}
