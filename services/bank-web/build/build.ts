import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

// Builds the customer app with Vite and precompresses it, so the web server sends .br/.gz files
// without compressing on every request (and needs no writable disk for a cache).

export const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_OUT_DIR = join(WEB_DIR, 'dist/public');
const STAMP = join(WEB_DIR, 'dist/build-stamp.json');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
}

/** A digest of everything the bundle is built from: the build is stale when it changes. */
export function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((s) => filesUnder(join(WEB_DIR, s))).sort()) {
    hash.update(relative(WEB_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function precompress(dir: string): void {
  for (const file of filesUnder(dir).filter((f) => COMPRESSIBLE.test(f))) {
    const body = readFileSync(file);
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    );
  }
}

/** Builds into `outDir` (default services/bank-web/dist/public) and precompresses the result. */
export async function buildWebApp(outDir: string = DEFAULT_OUT_DIR): Promise<string> {
  // Vite sets process.env.NODE_ENV=production for its build and leaves it so; `npm start` builds in
  // the process that then starts bank-api, which would read it as a production deployment.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await build({
      configFile: join(WEB_DIR, 'vite.config.ts'),
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  precompress(outDir);
  if (outDir === DEFAULT_OUT_DIR) writeFileSync(STAMP, `${JSON.stringify({ sources: sourceDigest() })}\n`);
  return outDir;
}

/** The default build, rebuilt only when its sources changed since the last one (npm start). */
export async function ensureBuilt(): Promise<{ dir: string; built: boolean }> {
  const current = existsSync(STAMP) ? (JSON.parse(readFileSync(STAMP, 'utf8')) as { sources?: string }) : {};
  if (current.sources === sourceDigest() && existsSync(join(DEFAULT_OUT_DIR, 'index.html'))) {
    return { dir: DEFAULT_OUT_DIR, built: false };
  }
  return { dir: await buildWebApp(), built: true };
}
