/**
 * Architecture rules checked by `npm run lint` (STYLE.md "The shape of the house").
 * Type-only imports count: a cycle through types is still a cycle in the design.
 */
const SHELLS = '(http|cli|mail|store|jose)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycles, runtime or type-only.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'src/core imports nothing outside src/core except node:crypto.',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^(src/core/|crypto$|node:crypto$)' },
    },
    {
      name: 'core-files-import-files-not-faces',
      severity: 'error',
      comment: 'Inside core a file imports the file that defines what it needs; index.ts is the face shown to shells.',
      from: { path: '^src/core/' },
      to: { path: '^src/core/[^/]+/index\\.ts$' },
    },
    {
      name: 'shells-use-core-faces',
      severity: 'error',
      comment: 'Outside core, the domain is reached through src/core/<aggregate>/index.ts only.',
      from: { path: '^src/', pathNot: '^src/core/' },
      to: { path: '^src/core/', pathNot: '^src/core/[^/]+/index\\.ts$' },
    },
    {
      name: 'protocols-import-nothing-of-rekey',
      severity: 'error',
      comment: 'Wire formats are pure functions: they import no other part of Rekey.',
      from: { path: '^src/protocols/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: '^src/protocols/' },
    },
    {
      name: 'no-shell-reaches-into-another',
      severity: 'error',
      comment: 'A shell may use another shell only through its index.ts.',
      from: { path: `^src/${SHELLS}/` },
      to: { path: `^src/${SHELLS}/`, pathNot: [`^src/$1/`, `^src/${SHELLS}/index\\.ts$`] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
