// Writes docs/errors-and-events.md from the error catalogue and the event list in the code.
// `npm run docs`; test/docs.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { renderReference } from '../dist/http/reference-doc.js';

writeFileSync(new URL('../docs/errors-and-events.md', import.meta.url), renderReference());
console.log('wrote docs/errors-and-events.md');
