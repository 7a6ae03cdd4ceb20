import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Finds what each tool checks. Source files come from git (tracked plus new, never ignored
// files), so node_modules, .tools and other generated folders are never scanned by accident.

export interface Targets {
  readonly root: string;
  /** Cloud assembly folder with the synthesized templates. */
  readonly cdkOut: string;
  /** Every CloudFormation template in the assembly, nested stacks included (relative to root). */
  readonly templates: readonly string[];
  /** Rendered Kubernetes manifests (relative to root). */
  readonly manifests: readonly string[];
  readonly dockerfiles: readonly string[];
  readonly workflows: readonly string[];
  readonly shellScripts: readonly string[];
}

export function repoFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // A file deleted in the work tree but still in the index is listed by --cached; skip it.
  return [...new Set(out.split('\0').filter((f) => f && existsSync(join(root, f))))].sort();
}

const SHELL_SHEBANG = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/\S*\/)?(?:ba|da|k)?sh\b/;

/** A shell script is a *.sh/*.bash file or any file whose shebang names sh, bash, dash or ksh. */
export function isShellScript(path: string, firstLine: string): boolean {
  return /\.(?:sh|bash)$/.test(path) || SHELL_SHEBANG.test(firstLine);
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(200);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n', 1)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

export function isDockerfile(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  return /^Dockerfile(?:\.[\w.-]+)?$/.test(name) || name.endsWith('.Dockerfile');
}

export function isWorkflow(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** Templates anywhere in the assembly (nested stages live in sub-folders), never inside assets. */
export function findTemplates(root: string, cdkOut: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (!entry.startsWith('asset.')) walk(full);
      } else if (entry.endsWith('.template.json')) {
        found.push(relative(root, full));
      }
    }
  };
  if (existsSync(cdkOut)) walk(cdkOut);
  return found;
}

export function findTargets(root: string, cdkOut: string): Targets {
  const files = repoFiles(root);
  return {
    root,
    cdkOut,
    templates: findTemplates(root, cdkOut),
    manifests: files.filter((f) => /^manifests\/.+\.ya?ml$/.test(f)),
    dockerfiles: files.filter(isDockerfile),
    workflows: files.filter(isWorkflow),
    shellScripts: files.filter((f) => isShellScript(f, firstLine(join(root, f)))),
  };
}
