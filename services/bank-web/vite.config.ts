import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The customer app's build. Preact's JSX goes through Vite's own transform (automatic runtime, Preact
// as the import source), so no framework plugin is needed. Everything the page loads is a file from
// its own origin: no inlined assets (data: URIs) and no inline scripts, so the server's
// Content-Security-Policy can stay 'self' only.
export const WEB_ROOT = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: WEB_ROOT,
  base: '/',
  appType: 'spa',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist/public',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
