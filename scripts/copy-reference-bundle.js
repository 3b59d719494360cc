// Copies Redoc's standalone bundle (and its licence) to dist/docs, where /docs serves it from
// (src/http/reference-page.ts): the running server needs the one file, not the package.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const bundle = require.resolve('redoc/bundles/redoc.standalone.js');
const target = new URL('../dist/docs/', import.meta.url).pathname;
mkdirSync(target, { recursive: true });
copyFileSync(bundle, join(target, 'redoc.standalone.js'));
const packageDir = dirname(dirname(bundle));
for (const name of ['LICENSE', 'bundles/redoc.standalone.js.LICENSE.txt'])
  if (existsSync(join(packageDir, name))) copyFileSync(join(packageDir, name), join(target, name.split('/').pop()));
