import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Where the built app is: next to the compiled server in the image (dist/server → dist/public), and
// under dist/ when the server runs from its TypeScript source (server/ → dist/public).
const CANDIDATES = ['../public/', '../dist/public/'];

export function defaultStaticDir(): string {
  for (const candidate of CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new Error('no built web app next to the server: run npm run web:build');
}
