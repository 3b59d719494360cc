import { Type } from '@sinclair/typebox';
import { MAX_ROTATION_EVERY_DAYS } from '../core/credentials/index.js';
import { Closed, Instant, Items, Literals, refTo } from './response-schema-kit.js';

/* Scheduled rotation (SPEC §12): the policy a client carries and the runs of the scheduler. Documentation only, see response-schemas.ts. */

const WARN_DAYS = 'Days before the due date the administrators are warned (0: no warning); less than everyDays.';
const GRACE = 'auto: how long the previous secret keeps working after the scheduled regenerate.';

const policyFields = {
  everyDays: Type.Integer({
    minimum: 1,
    maximum: MAX_ROTATION_EVERY_DAYS,
    description: 'Days from the current secret’s issue to its due date.',
  }),
  warnDays: Type.Integer({ minimum: 0, description: WARN_DAYS }),
  graceSeconds: Type.Integer({ minimum: 0, description: GRACE }),
  mode: Type.Union([Type.Literal('auto'), Type.Literal('notify')]),
};

export const RotationPolicy = Closed(policyFields, {
  description:
    'Scheduled rotation. auto (key accounts only): on the due date Rekey regenerates with graceSeconds, writes the new secret into every app slot that holds the key account and redeploys those apps. notify: the administrators are told and the client is marked rotationDue.',
});

/** The request body of PUT /v1/clients/{id}/rotation-policy: warnDays and graceSeconds have defaults. */
export const RotationPolicyBody = Type.Object(
  {
    everyDays: Type.Integer({
      minimum: 1,
      maximum: MAX_ROTATION_EVERY_DAYS,
      description: 'Days from the current secret’s issue to its due date.',
    }),
    warnDays: Type.Optional(Type.Integer({ minimum: 0, description: `${WARN_DAYS} Default 7 (at most everyDays − 1).` })),
    graceSeconds: Type.Optional(
      Type.Integer({ minimum: 0, description: `${GRACE} At most the account's maxGraceSeconds; default one day (or that bound).` }),
    ),
    mode: Type.Union([Type.Literal('auto'), Type.Literal('notify')]),
  },
  { additionalProperties: false },
);

const RotationRunApp = Closed({
  appId: Type.String(),
  slots: Type.Array(Type.String(), {
    description: 'Slots that now hold the new secret (updated) or got the previous one back (restored).',
  }),
  status: Literals(['pending', 'updated', 'restored', 'failed']),
  redeployed: Type.Boolean(),
});

const RotationRun = Closed(
  {
    id: Type.String(),
    clientId: Type.String(),
    kind: Literals(['rotate', 'warn', 'due']),
    mode: Literals(['auto', 'notify']),
    dueAt: Instant('The due date this run is about: each (client, due date, kind) runs once across all nodes.'),
    status: Literals(['running', 'succeeded', 'failed', 'notified']),
    attempts: Type.Integer({ minimum: 1, description: 'rotate: 1, plus one per daily retry after a failure.' }),
    startedAt: Instant(),
    updatedAt: Instant(),
    finishedAt: Type.Optional(Instant()),
    nextAttemptAt: Type.Optional(Instant('failed: when the scheduler tries again.')),
    versionId: Type.Optional(Type.String({ description: 'rotate: the secret version the run issued.' })),
    apps: Type.Optional(Type.Array(RotationRunApp)),
    error: Type.Optional(Type.String({ description: 'failed: why.' })),
    oldSecretExpiresAt: Type.Optional(Instant('rotate: when the previous secret stops working.')),
  },
  { description: 'One action of the rotation scheduler about a client. Never a secret.' },
);

export const ROTATION_SCHEMAS = {
  RotationPolicy,
  RotationRun,
  RotationRunPage: Items(refTo('RotationRun'), { nextCursor: true }),
};
