/**
 * Typical bodies of the main operations, shown by /docs next to their schemas
 * (response-schemas.ts). Made-up ids and secrets of the real shapes.
 */

const version = {
  versionId: 'ver_6QmZ3kP0cXw1rT9bN2vLdA',
  state: 'current',
  createdAt: '2026-03-01T09:30:00.000Z',
  lastUsedAt: '2026-03-02T14:05:11.000Z',
  useCount: 1824,
};

export const CLIENT_EXAMPLE = {
  id: 'cli_3N8fTq1ZxLw0bYk7HcR5sE',
  accountId: 'acme',
  profile: 'apikey',
  name: 'Billing exporter',
  state: 'active',
  maxFailedAttempts: 5,
  lockSeconds: 900,
  throttleFailuresPerMinute: 30,
  lockScope: 'keyAccount',
  staleSecretsCount: false,
  rotationPolicy: { everyDays: 90, warnDays: 7, graceSeconds: 86400, mode: 'auto' },
  rotationDueAt: '2026-05-30T09:30:00.000Z',
  rotationDue: false,
  createdAt: '2026-03-01T09:30:00.000Z',
  updatedAt: '2026-03-01T09:30:00.000Z',
  versions: [version],
  locked: false,
  failedAttempts: 0,
};

const { lastUsedAt: _unused, ...unusedVersion } = version;

export const CREATED_CLIENT_EXAMPLE = {
  ...CLIENT_EXAMPLE,
  versions: [{ ...unusedVersion, useCount: 0 }],
  versionId: version.versionId,
  secret: 'rk_sec_8Hw2LxQ0pZt4nVb7Ky1Rc9Ms3Fd6Ja5Ge0Tu2Wq4Yx1ZAb3Cd',
};

export const CLIENT_PAGE_EXAMPLE = { items: [CLIENT_EXAMPLE], nextCursor: 'eyJrIjoiY2xpXzNOOGZUcTEifQ' };

export const REGENERATE_EXAMPLE = {
  versionId: 'ver_1Lk9Vb2Nq7Tz0Xc4Rw8HsJ',
  secret: 'rk_sec_2Pm8Qa4Zx6Lc0Vn1Bt7Kw3Rs9Hd5Jf2Ge8Yu4Wq6Tx0ZBc1Da',
  oldSecretExpiresAt: '2026-03-02T15:05:11.000Z',
};

export const IDENTITY_EXAMPLE = {
  credentialType: 'basic',
  accountId: 'acme',
  clientId: CLIENT_EXAMPLE.id,
  profile: 'apikey',
  versionId: version.versionId,
};

export const VERIFY_EXAMPLE = { valid: true, code: 'ok', ...IDENTITY_EXAMPLE, credentialType: 'http_signature', profile: 'integrator' };

export const INTEGRATOR_REGENERATE_EXAMPLE = {
  secret: 'rk_sec_5Tq1Wz8Xc3Lv0Nb6Km2Ra9Ps4Hd7Jg1Fe5Yu8Wq3Tx6ZCd0Eb',
  oldSecretExpiresAt: '2026-03-02T15:05:11.000Z',
};

export const TOKEN_EXAMPLE = {
  access_token: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.eyJpc3MiOiJodHRwczovL3Jla2V5LmV4YW1wbGUifQ.c2lnbmF0dXJl',
  token_type: 'Bearer',
  expires_in: 600,
  scope: 'reports.read',
};

export const REGISTRATION_EXAMPLE = {
  accountId: 'acme',
  clientId: 'cli_7Yb2Mq0Lx5Nw3Kz8Tc1RvP',
  versionId: 'ver_0Hs4Jk8Lp2Qw6Ez1Rt5UyI',
  registeredAt: '2026-03-01T09:30:00.000Z',
};

export const SIGNED_URL_EXAMPLE = {
  url: 'https://files.example/report.pdf?rk_exp=1772445911&rk_kid=ver_0Hs4Jk8Lp2Qw6Ez1Rt5UyI&rk_sig=Zk9x2vQ1c8Lw0bN3mT7rY5sH4jD6gF1eA2uK8pW3qX0',
  expiresAt: '2026-03-02T10:05:11.000Z',
};

export const SIGNED_URL_VERDICT_EXAMPLE = { valid: true, code: 'ok', accountId: 'acme', expiresAt: SIGNED_URL_EXAMPLE.expiresAt };

export const APP_EXAMPLE = {
  id: 'app_9Kd3Lq7Zx1Nw5Bv0Tc8RsM',
  name: 'Billing worker',
  config: { apiKeyId: CLIENT_EXAMPLE.id },
  state: 'deployed',
  secrets: [
    {
      name: 'billing',
      keyAccountId: CLIENT_EXAMPLE.id,
      versionId: version.versionId,
      versionState: 'current',
      updatedAt: '2026-03-01T09:31:00.000Z',
    },
  ],
  hasToken: true,
  tokenCreatedAt: '2026-03-01T09:30:00.000Z',
  createdAt: '2026-03-01T09:30:00.000Z',
  updatedAt: '2026-03-01T09:31:00.000Z',
};

export const CREATED_APP_EXAMPLE = { ...APP_EXAMPLE, secrets: [], appToken: 'rk_app_4Rt8Yq1Zx6Lc0Vn3Bm7Kw2Ps9Hd5Jf1Ge6Yu3Wq8Tx2ZEf0Gh' };

export const ROTATION_RUN_PAGE_EXAMPLE = {
  items: [
    {
      id: 'rot_5Xk2PqL9wZ0cT3vN8bR1mY',
      clientId: 'cli_3N8fTq1ZxLw0bYk7HcR5sE',
      kind: 'rotate',
      mode: 'auto',
      dueAt: '2026-05-30T09:30:00.000Z',
      status: 'succeeded',
      attempts: 1,
      startedAt: '2026-05-30T09:30:41.000Z',
      updatedAt: '2026-05-30T09:30:42.000Z',
      finishedAt: '2026-05-30T09:30:42.000Z',
      versionId: 'ver_2Lp8Ry0TqW4nXc7Vb1Kd9M',
      apps: [{ appId: 'app_7Tn1Vc4Xq0Lz8Kb2Wm5Rd3', slots: ['BILLING_KEY'], status: 'updated', redeployed: true }],
      oldSecretExpiresAt: '2026-05-31T09:30:41.000Z',
    },
    {
      id: 'rot_0Hc6Ws3Mn8Qb1Vx4Zt7Lk2',
      clientId: 'cli_3N8fTq1ZxLw0bYk7HcR5sE',
      kind: 'warn',
      mode: 'auto',
      dueAt: '2026-05-30T09:30:00.000Z',
      status: 'notified',
      attempts: 1,
      startedAt: '2026-05-23T09:30:12.000Z',
      updatedAt: '2026-05-23T09:30:12.000Z',
      finishedAt: '2026-05-23T09:30:12.000Z',
    },
  ],
};
