import type { RotationRun, RotationStore } from '../../core/rotation/index.js';
import type { SqlDb } from '../sql-db.js';
import { toClient } from './credentials.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type Row, num, numOrNull, str, strOrNull } from './row.js';

const toRun = (row: Row): RotationRun => ({
  id: str(row.id),
  accountId: str(row.account_id),
  clientId: str(row.client_id),
  dueAt: num(row.due_at),
  kind: str(row.kind) as RotationRun['kind'],
  mode: str(row.mode) as RotationRun['mode'],
  status: str(row.status) as RotationRun['status'],
  attempts: num(row.attempts),
  leaseUntil: numOrNull(row.lease_until),
  nextAttemptAt: numOrNull(row.next_attempt_at),
  versionId: strOrNull(row.version_id),
  plan: row.plan ? JSON.parse(str(row.plan)) : null,
  detail: JSON.parse(str(row.detail)),
  startedAt: num(row.started_at),
  updatedAt: num(row.updated_at),
  finishedAt: numOrNull(row.finished_at),
});

/** What a run's progress changes; the rest of the row is fixed when it is claimed. */
const MUTABLE = ['status', 'attempts', 'lease_until', 'next_attempt_at', 'version_id', 'plan', 'detail', 'updated_at', 'finished_at'];
const mutableValues = (run: RotationRun): unknown[] => [
  run.status,
  run.attempts,
  run.leaseUntil,
  run.nextAttemptAt,
  run.versionId,
  run.plan ? JSON.stringify(run.plan) : null,
  JSON.stringify(run.detail),
  run.updatedAt,
  run.finishedAt,
];
const FIXED = ['id', 'account_id', 'client_id', 'due_at', 'kind', 'mode', 'started_at'];
const INSERT_RUN = `INSERT INTO rotation_runs (${[...FIXED, ...MUTABLE].join(', ')}) VALUES (${[...FIXED, ...MUTABLE].map(() => '?').join(', ')}) ON CONFLICT (client_id, due_at, kind) DO NOTHING`;
const SET_MUTABLE = MUTABLE.map((column) => `${column} = ?`).join(', ');

/** SQL for the RotationStore port; the same statements serve SQLite and PostgreSQL. */
export function rotationSql(db: SqlDb): RotationStore {
  return {
    async listClientsWithRotationPolicy(afterId, limit) {
      const rows = await db.all<Row>(
        `SELECT * FROM clients WHERE rotation_policy IS NOT NULL AND state = 'active'${afterId !== null ? ' AND id > ?' : ''} ORDER BY id LIMIT ?`,
        afterId !== null ? [afterId, limit] : [limit],
      );
      return rows.map(toClient);
    },
    async insertRotationRun(run) {
      const inserted = await db.run(INSERT_RUN, [
        run.id,
        run.accountId,
        run.clientId,
        run.dueAt,
        run.kind,
        run.mode,
        run.startedAt,
        ...mutableValues(run),
      ]);
      return inserted === 1;
    },
    async replaceRotationRun(run, expected) {
      const lease = expected.leaseUntil === null ? 'lease_until IS NULL' : 'lease_until = ?';
      const changed = await db.run(`UPDATE rotation_runs SET ${SET_MUTABLE} WHERE id = ? AND status = ? AND attempts = ? AND ${lease}`, [
        ...mutableValues(run),
        run.id,
        expected.status,
        expected.attempts,
        ...(expected.leaseUntil === null ? [] : [expected.leaseUntil]),
      ]);
      return changed === 1;
    },
    async getRotationRun(id) {
      const [row] = await db.all<Row>('SELECT * FROM rotation_runs WHERE id = ?', [id]);
      return row ? toRun(row) : null;
    },
    async listResumableRotationRuns(now, limit) {
      const rows = await db.all<Row>(
        "SELECT * FROM rotation_runs WHERE kind = 'rotate' AND ((status = 'failed' AND next_attempt_at <= ?) OR (status = 'running' AND lease_until < ?)) ORDER BY updated_at, id LIMIT ?",
        [now, now, limit],
      );
      return rows.map(toRun);
    },
    async listRotationRuns(clientId, { cursor, limit }) {
      const before = decodeCursor(cursor);
      const rows = await db.all<Row>(
        `SELECT * FROM rotation_runs WHERE client_id = ?${before ? ' AND (started_at < ? OR (started_at = ? AND id < ?))' : ''} ORDER BY started_at DESC, id DESC LIMIT ?`,
        before ? [clientId, before[0], before[0], before[1], limit + 1] : [clientId, limit + 1],
      );
      const items = rows.slice(0, limit).map(toRun);
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.startedAt, last.id]) } : { items };
    },
  };
}
