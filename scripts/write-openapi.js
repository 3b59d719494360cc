// Writes the OpenAPI document to a file: the console's API types are generated from it
// (`npm run api-types`). Needs `npm run build` first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiDocument } from './openapi-document.js';

const target = resolve(process.argv[2] ?? '.tmp/openapi.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
