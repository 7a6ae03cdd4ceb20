import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { git, gitRaw, resolveCommit } from './git.js';

const execFileAsync = promisify(execFile);

// Renders the manifests of a base commit and of the checkout (head), and describes the difference:
// which objects were added, removed or changed per folder, then the unified diff. The base is
// rendered from a temporary worktree with its own charts/ code, so a change to a chart shows up as
// what it does to the YAML. The caller's working tree is only read.

export interface ManifestDiffOptions {
  /** Any directory inside the head checkout. */
  readonly repo: string;
  /** Git revision to compare against, e.g. origin/main. */
  readonly base: string;
  /** Largest unified diff to include (characters); GitHub comments hold 65,536. Default 50,000. */
  readonly maxDiffChars?: number;
  /**
   * Writes a checkout's manifests into `outdir`. Default: that checkout's own `charts/main.ts`, run
   * with tsx from the head's node_modules, so base and head are each rendered by their own charts.
   */
  readonly renderer?: ManifestRenderer;
}

/** Renders the checkout at `checkout` (the head, or a temporary worktree of the base) into `outdir`. */
export type ManifestRenderer = (checkout: string, outdir: string) => void | Promise<void>;

export type ObjectChange = 'added' | 'removed' | 'changed';

export interface ManifestDiff {
  readonly base: string;
  readonly baseCommit: string;
  readonly objects: readonly {
    readonly file: string;
    readonly object: string;
    readonly change: ObjectChange;
  }[];
  readonly stat: string;
  readonly diff: string;
  readonly truncated: boolean;
}

export class ManifestDiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestDiffError';
  }
}

export async function manifestDiff(options: ManifestDiffOptions): Promise<ManifestDiff> {
  const top = git(['rev-parse', '--show-toplevel'], { cwd: options.repo });
  const baseCommit = resolveCommit(options.base, top);
  if (baseCommit === undefined)
    throw new ManifestDiffError(`--base '${options.base}' is not a commit in ${top}`);
  const scratch = mkdtempSync(join(tmpdir(), 'manifests-diff-'));
  const worktree = join(scratch, 'checkout');
  try {
    git(['worktree', 'add', '--quiet', '--detach', worktree, baseCommit], { cwd: top });
    const renderInto =
      options.renderer ??
      ((checkout: string, outdir: string) => render(checkout, outdir, join(top, 'node_modules')));
    // Both at once: each render is a process of its own, and neither blocks this one's event loop.
    await Promise.all([renderInto(worktree, join(scratch, 'base')), renderInto(top, join(scratch, 'head'))]);
    // git diff --no-index exits 1, as for a difference, when a folder is missing.
    for (const [checkout, side] of [
      [worktree, 'base'],
      [top, 'head'],
    ] as const) {
      if (!existsSync(join(scratch, side)))
        throw new ManifestDiffError(`rendering ${checkout} wrote no manifests to ${join(scratch, side)}`);
    }

    const objects = compareObjects(join(scratch, 'base'), join(scratch, 'head'));
    const noIndex = ['diff', '--no-index', '--no-color', '--no-ext-diff'];
    const stat = statPaths(runDiff([...noIndex, '--stat=120', 'base', 'head'], scratch));
    const full = diffPaths(runDiff([...noIndex, '-U3', 'base', 'head'], scratch));
    return {
      base: options.base,
      baseCommit,
      objects,
      stat,
      ...truncateDiff(full, options.maxDiffChars ?? 50_000),
    };
  } finally {
    // Also unregisters a worktree whose folder is already gone.
    gitRaw(['worktree', 'remove', '--force', worktree], { cwd: top });
    rmSync(scratch, { recursive: true });
  }
}

/** A unified diff cut after the last whole line within `max` characters, and whether it was cut. */
export function truncateDiff(full: string, max: number): { diff: string; truncated: boolean } {
  if (full.length <= max) return { diff: full, truncated: false };
  return { diff: full.slice(0, full.lastIndexOf('\n', max - 1) + 1), truncated: true };
}

/** Runs the checkout's own renderer (charts/main.ts) into `outdir`. */
async function render(checkout: string, outdir: string, nodeModules: string): Promise<void> {
  if (!existsSync(join(checkout, 'node_modules')))
    symlinkSync(nodeModules, join(checkout, 'node_modules'), 'dir');
  try {
    await execFileAsync(join(nodeModules, '.bin', 'tsx'), ['charts/main.ts', '--outdir', outdir], {
      cwd: checkout,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new ManifestDiffError(
      `rendering ${checkout} failed:\n${(stderr || stdout || String(error)).trim()}`,
    );
  }
}

/** git diff --no-index exits 1 when the trees differ. */
function runDiff(args: string[], cwd: string): string {
  const result = gitRaw(args, { cwd });
  if (result.status !== 0 && result.status !== 1)
    throw new ManifestDiffError(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/**
 * The unified diff with each file under its repository path (`a/x`, `b/x`). Git names a file that
 * exists on one side only from that side on both (`a/head/x b/x`, `a/x b/base/x`).
 */
function diffPaths(diff: string): string {
  return diff
    .replaceAll(/^diff --git a\/(?:base|head)\/(\S+) b\/(?:base|head)\//gm, 'diff --git a/$1 b/')
    .replaceAll(/^(---|\+\+\+) ([ab])\/(?:base|head)\//gm, '$1 $2/');
}

/**
 * --stat lines with each file under its repository path. Git writes ` {base => head}/x` for a file
 * on both sides, ` /dev/null => head/x` and ` base/x => /dev/null` for one on one side only.
 */
function statPaths(stat: string): string {
  return (
    stat
      .replaceAll(' {base => head}/', ' ')
      .replaceAll(' /dev/null => head/', ' ')
      // Stryker disable next-line Regex: equivalent, every --stat line but the summary names a file.
      .replaceAll(/^ base\/(\S+) => \/dev\/null/gm, ' $1')
  );
}

/** The YAML files under `dir` (none when a render wrote no folder); compareObjects sorts them. */
function yamlFiles(dir: string): string[] {
  // Stryker disable next-line ArrayDeclaration: equivalent, a name listed from a missing folder is
  // read from that same missing folder by objectsIn, which finds no object in it.
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

function objectsIn(path: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const o = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    if (!o?.kind) continue;
    out.set(
      `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}`,
      JSON.stringify(o),
    );
  }
  return out;
}

/** The objects added, removed or changed between two rendered folders, by file, kind, namespace and name. */
export function compareObjects(baseDir: string, headDir: string): ManifestDiff['objects'] {
  const files = [...new Set([...yamlFiles(baseDir), ...yamlFiles(headDir)])].sort();
  return files.flatMap((file) => {
    const before = objectsIn(join(baseDir, file));
    const after = objectsIn(join(headDir, file));
    const names = [...new Set([...before.keys(), ...after.keys()])].sort();
    return names.flatMap((object) => {
      const a = before.get(object);
      const b = after.get(object);
      if (a === b) return [];
      const change: ObjectChange = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
      return [{ file, object, change }];
    });
  });
}

/** Markdown for a pull request comment. */
export function formatMarkdown(result: ManifestDiff): string {
  const title = `### Manifest diff against \`${result.base}\` (${result.baseCommit.slice(0, 12)})`;
  if (result.objects.length === 0) return `${title}\n\nNo change to the rendered manifests.\n`;
  const rows = result.objects.map((o) => `| \`${o.file}\` | ${o.object} | ${o.change} |`);
  return [
    title,
    '',
    `${result.objects.length} object(s) differ:`,
    '',
    '| file | object | change |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '<details><summary>Unified diff</summary>',
    '',
    '```diff',
    result.diff.trimEnd(),
    '```',
    result.truncated ? '\n_The diff was truncated; run `npm run manifests:diff` locally for all of it._' : '',
    '</details>',
    '',
  ].join('\n');
}

/** Plain text for a terminal. */
export function formatText(result: ManifestDiff): string {
  if (result.objects.length === 0) return `no change to the rendered manifests against ${result.base}\n`;
  const lines = result.objects.map((o) => `${o.change.padEnd(8)} ${o.file}: ${o.object}`);
  return `${lines.join('\n')}\n\n${result.stat}\n\n${result.diff}`;
}
