/**
 * Leaked-secret reports (SPEC §12) find a secret version or a token secret by its keyed hash alone,
 * without the client id a data-plane request names: these indexes keep that lookup from reading
 * every row. Numbered 11 (9 and 10 are taken by other work). Never edit once released.
 */
export const LEAK_LOOKUPS_MIGRATION = {
  version: 11,
  name: 'leak_lookups',
  sql: `
CREATE INDEX secret_versions_hash ON secret_versions(secret_hash);
CREATE INDEX tba_tokens_hash ON tba_tokens(secret_hash)
`,
};
