// The registry these machines reach serves only the Linux builds of packages that ship one native
// binary per platform (@biomejs/cli-*, @rollup/rollup-*, ...). `npm install` then leaves the other
// platforms' optional dependencies out of package-lock.json, and npm 11's `npm ci` refuses a lockfile
// that lacks them. This adds an entry for each missing optional dependency, marked optional and with
// its os/cpu read from the package name, so `npm ci` skips it on this platform without fetching it.
// Run it after every `npm install` that changes the lockfile: `npm run lockfile:complete`.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface LockEntry {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  optionalDependencies?: Record<string, string>;
}

const OS = [
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
];
const CPU = ['arm64', 'arm', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64'];

export function platformOf(name: string): { os?: string[]; cpu?: string[] } {
  const parts = (name.split('/').pop() ?? name).split('-');
  const os = OS.find((o) => parts.includes(o));
  const cpu = CPU.find((c) => parts.includes(c));
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
}

export function completeLockfile(lock: { packages: Record<string, LockEntry> }): string[] {
  const added: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
      // Resolution as node does it: next to the dependent first, then at the top level.
      const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
      const top = `node_modules/${name}`;
      if (lock.packages[nested] || lock.packages[top]) continue;
      lock.packages[top] = { version: spec, optional: true, ...platformOf(name) };
      added.push(`${name}@${spec}`);
    }
  }
  const [rootKey, ...rest] = Object.keys(lock.packages);
  const ordered: Record<string, LockEntry> = {};
  for (const key of [rootKey as string, ...rest.sort((a, b) => a.localeCompare(b, 'en'))])
    ordered[key] = lock.packages[key] as LockEntry;
  lock.packages = ordered;
  return added;
}

const USAGE = 'usage: npm run lockfile:complete [-- <package-lock.json>]\n';
let file = 'package-lock.json';
try {
  const { positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new Error(`one lockfile at most (got ${positionals.length})`);
  file = positionals[0] ?? file;
} catch (error) {
  process.stderr.write(
    `lockfile:complete: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
  );
  process.exit(2);
}
const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
const added = completeLockfile(lock);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length ? `lockfile: added ${added.length} optional platform entries` : 'lockfile: complete',
);
