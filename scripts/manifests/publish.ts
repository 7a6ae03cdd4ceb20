import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { workloadsPath } from '../../argocd/layout.js';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { git, gitRaw, resolveCommit } from './git.js';
import {
  deployableImage,
  deployedWebImage,
  PublishInputError,
  renderEnvironmentTree,
  WEB_MANIFEST,
} from './render-tree.js';

// Publishes one environment's rendered manifests to the manifests branch with Git plumbing only: the
// tree is assembled in a private index file and committed with commit-tree, so the caller's working
// tree, index and HEAD are never touched. The branch moves with a compare-and-swap (update-ref with
// the old value), so a failure at any step leaves at most unreferenced objects, never a half-written
// commit on the branch.

export interface PublishOptions {
  /** Any directory inside the Git repository to publish into (its HEAD is the source commit). */
  readonly repo: string;
  readonly env: EnvironmentConfig;
  /** bank-api image, `<env repository>@sha256:<digest>`. */
  readonly image: string;
  /**
   * bank-web image, `<env web repository>@sha256:<digest>`. Absent: bank-web keeps the image the
   * branch deploys (publishing the API alone never moves the app), or the configured tag on a branch
   * that has no bank-web yet.
   */
  readonly webImage?: string;
  /** Branch to commit to; default the environment's gitops.branch. */
  readonly branch?: string;
  /** Where a branch that does not exist yet starts (e.g. `manifests` for a pull-request branch). */
  readonly base?: string;
  readonly remote?: string;
  /** Fetch the branch first, build on the remote's tip and push the commit. */
  readonly push?: boolean;
  readonly message?: string;
  /** Publish even when the rendering inputs have uncommitted changes. */
  readonly allowDirty?: boolean;
}

export interface PublishResult {
  readonly branch: string;
  readonly source: string;
  readonly image: string;
  readonly webImage: string;
  /** The commit the branch pointed at before (undefined when this publish created it). */
  readonly parent?: string;
  /** The new commit; undefined when the rendered tree was unchanged. */
  readonly commit?: string;
  readonly changed: boolean;
  readonly pushed: boolean;
  /** `git diff --stat` of the change (empty when unchanged). */
  readonly stat: string;
  /** `git diff --name-status` lines. */
  readonly files: readonly string[];
}

/** The inputs of a render; uncommitted edits there would make the manifests differ from the source commit. */
export const RENDER_INPUTS = ['charts', 'platform', 'package.json', 'package-lock.json'] as const;

export class PublishStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishStateError';
  }
}

export function publishManifests(options: PublishOptions): PublishResult {
  const remote = options.remote ?? 'origin';
  const branch = options.branch ?? options.env.gitops.branch;
  const top = repositoryTop(options.repo);
  const cwd = top;
  checkBranchName(branch, cwd);
  const source = resolveCommit('HEAD', cwd);
  if (source === undefined) {
    throw new PublishStateError(`${top}: HEAD has no commit yet; commit the sources before publishing`);
  }
  if (!options.allowDirty) checkInputsClean(cwd);
  checkNotCheckedOut(branch, cwd);

  // Render first: a bad image or config fails before anything is fetched or written.
  const webImage =
    options.webImage === undefined ? undefined : deployableImage(options.env, options.webImage, 'bankWeb');
  let tree = renderEnvironmentTree(options.env, options.image, webImage);

  if (options.push) fetchBranch(remote, branch, cwd);
  if (options.push && options.base !== undefined) fetchBranch(remote, options.base, cwd);
  const local = resolveCommit(`refs/heads/${branch}`, cwd);
  const tracking = resolveCommit(`refs/remotes/${remote}/${branch}`, cwd);
  const parent = options.push
    ? (tracking ?? startPoint(options, remote, cwd) ?? local)
    : (local ?? startPoint(options, remote, cwd) ?? tracking);

  if (webImage === undefined && parent !== undefined) {
    const kept = branchWebImage(options.env, parent, cwd);
    if (kept !== undefined) tree = renderEnvironmentTree(options.env, options.image, kept);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'manifests-publish-'));
  try {
    // Only index and object plumbing from here on: none of these commands reads the working tree, so
    // the checkout (whose manifests/ folder holds main's render, not the branch's) cannot interfere.
    const indexEnv = { GIT_INDEX_FILE: join(scratch, 'index') };
    git(parent ? ['read-tree', parent] : ['read-tree', '--empty'], { cwd, env: indexEnv });
    const oldTree = parent ? git(['rev-parse', `${parent}^{tree}`], { cwd }) : emptyTree(cwd);
    const removed = '0'.repeat(oldTree.length); // the null object id, SHA-1 or SHA-256
    const stale = git(['--literal-pathspecs', 'ls-files', '-z', '--cached', '--', ...tree.folders], {
      cwd,
      env: indexEnv,
    })
      .split('\0')
      .filter(Boolean);
    // --index-info applies its records in order: mode 0 removes the parent's entry, then the render's
    // files are added (a file the render no longer produces stays removed).
    const records = [
      ...stale.map((path) => `0 ${removed}\t${path}\0`),
      ...[...tree.files].map(([path, content]) => {
        const blob = git(['hash-object', '-w', '--no-filters', '--stdin'], { cwd, input: content });
        return `100644 ${blob}\t${path}\0`;
      }),
    ];
    git(['update-index', '-z', '--index-info'], { cwd, env: indexEnv, input: records.join('') });
    const newTree = git(['write-tree'], { cwd, env: indexEnv });

    const base = {
      branch,
      source,
      image: tree.image,
      webImage: tree.webImage,
      ...(parent ? { parent } : {}),
    };
    if (newTree === oldTree) {
      return { ...base, changed: false, pushed: false, stat: '', files: [] };
    }
    const stat = git(['diff-tree', '-r', '--stat=120', oldTree, newTree], { cwd });
    const files = git(['diff-tree', '-r', '--name-status', oldTree, newTree], { cwd })
      .split('\n')
      .filter(Boolean);
    const message =
      options.message ??
      defaultMessage(options.env, tree.image, webImage === undefined ? undefined : tree.webImage, source);
    const commit = git(['commit-tree', newTree, ...(parent ? ['-p', parent] : []), '-F', '-'], {
      cwd,
      input: `${message.trimEnd()}\n`,
    });

    if (options.push) {
      // Not forced: if someone else moved the branch since the fetch, the push is refused and the
      // publisher can simply be run again.
      git(['push', '--quiet', remote, `${commit}:refs/heads/${branch}`], { cwd });
    }
    // Compare-and-swap: the branch moves only if it still points where it did when we read it.
    const expected = local ?? '0'.repeat(commit.length);
    const moved = gitRaw(
      ['update-ref', '-m', 'manifests:publish', `refs/heads/${branch}`, commit, expected],
      {
        cwd,
      },
    );
    if (moved.status !== 0) {
      throw new PublishStateError(
        // git's first line names the cause (the branch moved, or another publish holds its lock).
        `branch '${branch}' changed while publishing (${moved.stderr.trim().split('\n')[0]}); ${
          options.push ? `the commit ${commit} was pushed to ${remote}; fetch it` : 'nothing was changed'
        }`,
      );
    }
    return { ...base, commit, changed: true, pushed: options.push === true, stat, files };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function repositoryTop(dir: string): string {
  const inside = gitRaw(['rev-parse', '--is-inside-work-tree'], { cwd: dir });
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') {
    throw new PublishStateError(
      `${dir} is not inside a Git working tree (${inside.stderr.trim() || 'bare repository'})`,
    );
  }
  return git(['rev-parse', '--show-toplevel'], { cwd: dir });
}

function checkBranchName(branch: string, cwd: string): void {
  if (gitRaw(['check-ref-format', '--branch', branch], { cwd }).status !== 0) {
    throw new PublishInputError(`--branch '${branch}' is not a valid Git branch name`);
  }
}

function checkInputsClean(cwd: string): void {
  // --no-optional-locks: status would otherwise refresh (rewrite) the caller's index.
  const dirty = git(
    ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=all', '--', ...RENDER_INPUTS],
    { cwd },
  )
    .split('\n')
    .filter(Boolean);
  if (dirty.length > 0) {
    const shown = dirty.slice(0, 10).map((line) => `  ${line}`);
    if (dirty.length > 10) shown.push(`  ... and ${dirty.length - 10} more`);
    throw new PublishStateError(
      `the rendering inputs have uncommitted changes, so the manifests would not match commit HEAD:\n${shown.join('\n')}\ncommit or stash them first, or pass --allow-dirty`,
    );
  }
}

/** Moving a branch that a working tree has checked out would leave that tree silently out of date. */
function checkNotCheckedOut(branch: string, cwd: string): void {
  let path = '';
  for (const line of git(['worktree', 'list', '--porcelain'], { cwd }).split('\n')) {
    if (line.startsWith('worktree ')) path = line.slice('worktree '.length);
    if (line === `branch refs/heads/${branch}`) {
      throw new PublishStateError(
        `branch '${branch}' is checked out in ${path}; the publisher never touches working trees, so switch that checkout to another branch first`,
      );
    }
  }
}

function fetchBranch(remote: string, branch: string, cwd: string): void {
  const result = gitRaw(
    ['fetch', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`],
    {
      cwd,
    },
  );
  if (result.status === 0) return;
  // A branch the remote does not have yet is created by the push.
  if (/couldn't find remote ref/i.test(result.stderr)) return;
  throw new PublishStateError(`fetching '${branch}' from ${remote} failed: ${result.stderr.trim()}`);
}

function startPoint(options: PublishOptions, remote: string, cwd: string): string | undefined {
  if (options.base === undefined) return undefined;
  const onRemote = resolveCommit(`refs/remotes/${remote}/${options.base}`, cwd);
  if (options.push) {
    if (onRemote === undefined)
      throw new PublishStateError(`--base '${options.base}' does not exist on ${remote}`);
    return onRemote;
  }
  const commit = resolveCommit(`refs/heads/${options.base}`, cwd) ?? onRemote;
  if (commit === undefined)
    throw new PublishStateError(`--base '${options.base}' is not a branch of this repository`);
  return commit;
}

function emptyTree(cwd: string): string {
  return git(['hash-object', '-t', 'tree', '--stdin'], { cwd, input: '' });
}

/** The bank-web image `commit`'s tree deploys for `env`, if it has bank-web at all. */
function branchWebImage(env: EnvironmentConfig, commit: string, cwd: string): string | undefined {
  const file = gitRaw(['show', `${commit}:${posix.join(workloadsPath(env), WEB_MANIFEST)}`], { cwd });
  return file.status === 0 ? deployedWebImage(file.stdout) : undefined;
}

function defaultMessage(
  env: EnvironmentConfig,
  image: string,
  webImage: string | undefined,
  source: string,
): string {
  const short = (ref: string) => ref.slice(ref.indexOf('@') + 1).slice(0, 19);
  return [
    `deploy(${env.name}): bank-api ${short(image)}${webImage === undefined ? '' : `, bank-web ${short(webImage)}`}`,
    '',
    `Image: ${image}`,
    ...(webImage === undefined ? [] : [`Web image: ${webImage}`]),
    `Rendered from ${source} by npm run manifests:publish.`,
  ].join('\n');
}
