import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console builds into dist/web beside the compiled server, which serves it at `/`
// (src/http/console/serve-console.ts). `npm run dev:web` proxies the API to a local `rekey serve`.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline module-preload polyfill and no data: URIs, so the strict CSP needs no exceptions.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/oauth', '/openapi.json', '/docs', '/problems'].map((path) => [path, 'http://127.0.0.1:8080'])),
  },
});
