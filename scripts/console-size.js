// Prints what a first visit to the console downloads: the JavaScript (and CSS) index.html loads,
// raw and gzipped. `npm run console-size` (after `npm run build`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../dist/web/', import.meta.url).pathname;
const index = readFileSync(join(root, 'index.html'), 'utf8');
const files = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]);
let js = 0;
for (const file of files) {
  const body = readFileSync(join(root, file));
  const gzipped = gzipSync(body, { level: 9 }).length;
  if (file.endsWith('.js')) js += gzipped;
  console.log(`${file}  ${(body.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
}
console.log(`first-load JavaScript: ${(js / 1024).toFixed(1)} KB gzipped (budget 200 KB)`);
