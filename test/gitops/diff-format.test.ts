import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareObjects,
  formatMarkdown,
  formatText,
  type ManifestDiff,
  truncateDiff,
} from '../../scripts/manifests/diff.js';

// The parts of manifests:diff that need no render: how two rendered folders are compared object by
// object, and how the result is written for a terminal and for a pull request. diff.test.ts runs the
// whole command on clones of this repository.

const scratch = mkdtempSync(join(tmpdir(), 'diff-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('compareObjects', () => {
  it('names each object added, removed or changed, file by file, and nothing that stayed', () => {
    const base = folder('base', {
      'dev/app.k8s.yaml': [
        'kind: ConfigMap\nmetadata: {name: settings, namespace: bank}\ndata: {LOG_LEVEL: debug}',
        'kind: Namespace\nmetadata: {name: bank}',
        'kind: Secret\nmetadata: {name: gone, namespace: bank}',
      ].join('\n---\n'),
      'dev/old.k8s.yaml': 'kind: Service\nmetadata: {name: legacy, namespace: bank}',
      'dev/notes.txt': 'not a manifest',
    });
    const head = folder('head', {
      'dev/app.k8s.yaml': [
        'kind: Namespace\nmetadata: {name: bank}',
        'kind: ConfigMap\nmetadata: {name: settings, namespace: bank}\ndata: {LOG_LEVEL: warn}',
        '# a document without an object',
        'kind: Role\nmetadata: {name: reader, namespace: bank}',
        'kind: List',
      ].join('\n---\n'),
      'argocd/dev/new.yaml': 'kind: ClusterRole\nmetadata: {name: viewer}',
      'dev/notes.txt': 'changed, still not a manifest',
      // Valid YAML (JSON is) describing an object, but no .yaml file: not part of the render.
      'dev/values.json': '{"kind": "ConfigMap", "metadata": {"name": "not-rendered"}}',
    });
    expect(compareObjects(base, head)).toEqual([
      { file: 'argocd/dev/new.yaml', object: 'ClusterRole viewer', change: 'added' },
      { file: 'dev/app.k8s.yaml', object: 'ConfigMap bank/settings', change: 'changed' },
      { file: 'dev/app.k8s.yaml', object: 'List ', change: 'added' },
      { file: 'dev/app.k8s.yaml', object: 'Role bank/reader', change: 'added' },
      { file: 'dev/app.k8s.yaml', object: 'Secret bank/gone', change: 'removed' },
      { file: 'dev/old.k8s.yaml', object: 'Service bank/legacy', change: 'removed' },
    ]);
  });

  it('finds nothing between a folder and itself, or between two missing folders', () => {
    const same = folder('same', { 'a.yaml': 'kind: ConfigMap\nmetadata: {name: x}' });
    expect(compareObjects(same, same)).toEqual([]);
    expect(compareObjects(join(scratch, 'none-a'), join(scratch, 'none-b'))).toEqual([]);
  });
});

const changed: ManifestDiff = {
  base: 'origin/main',
  baseCommit: '0123456789abcdef0123456789abcdef01234567',
  objects: [
    { file: 'dev/bank-api.k8s.yaml', object: 'ConfigMap bank/bank-api-config', change: 'changed' },
    { file: 'dev/bank-api.k8s.yaml', object: 'Role bank/reader', change: 'added' },
  ],
  stat: ' dev/bank-api.k8s.yaml | 2 +-\n 1 file changed',
  diff: '--- a/dev/bank-api.k8s.yaml\n+++ b/dev/bank-api.k8s.yaml\n-  LOG_LEVEL: debug\n+  LOG_LEVEL: warn\n',
  truncated: false,
};

describe('formatMarkdown', () => {
  it('says so when nothing changed', () => {
    expect(formatMarkdown({ ...changed, objects: [], stat: '', diff: '' })).toBe(
      '### Manifest diff against `origin/main` (0123456789ab)\n\nNo change to the rendered manifests.\n',
    );
  });

  it('tables the objects and folds the diff away', () => {
    expect(formatMarkdown(changed)).toBe(
      [
        '### Manifest diff against `origin/main` (0123456789ab)',
        '',
        '2 object(s) differ:',
        '',
        '| file | object | change |',
        '| --- | --- | --- |',
        '| `dev/bank-api.k8s.yaml` | ConfigMap bank/bank-api-config | changed |',
        '| `dev/bank-api.k8s.yaml` | Role bank/reader | added |',
        '',
        '<details><summary>Unified diff</summary>',
        '',
        '```diff',
        '--- a/dev/bank-api.k8s.yaml',
        '+++ b/dev/bank-api.k8s.yaml',
        '-  LOG_LEVEL: debug',
        '+  LOG_LEVEL: warn',
        '```',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('says where to get the rest of a truncated diff', () => {
    expect(formatMarkdown({ ...changed, truncated: true })).toContain(
      '```\n\n_The diff was truncated; run `npm run manifests:diff` locally for all of it._\n</details>\n',
    );
  });
});

describe('formatText', () => {
  it('says so when nothing changed', () => {
    expect(formatText({ ...changed, objects: [] })).toBe(
      'no change to the rendered manifests against origin/main\n',
    );
  });

  it('lists the objects, then the stat, then the diff', () => {
    expect(formatText(changed)).toBe(
      [
        'changed  dev/bank-api.k8s.yaml: ConfigMap bank/bank-api-config',
        'added    dev/bank-api.k8s.yaml: Role bank/reader',
        '',
        ' dev/bank-api.k8s.yaml | 2 +-',
        ' 1 file changed',
        '',
        '--- a/dev/bank-api.k8s.yaml',
        '+++ b/dev/bank-api.k8s.yaml',
        '-  LOG_LEVEL: debug',
        '+  LOG_LEVEL: warn',
        '',
      ].join('\n'),
    );
  });
});

describe('truncateDiff', () => {
  const full = 'line one\nline two\nline three\n';

  it('keeps a diff that fits, up to the last character', () => {
    expect(truncateDiff(full, full.length)).toEqual({ diff: full, truncated: false });
  });

  // Never longer than the limit: the cut used to keep one character too many when a line ended
  // exactly at the limit, and to drop the last character when no line fit at all.
  it('cuts a longer one after the last whole line that fits', () => {
    expect(truncateDiff(full, full.length - 1)).toEqual({ diff: 'line one\nline two\n', truncated: true });
    expect(truncateDiff(full, 9)).toEqual({ diff: 'line one\n', truncated: true });
    expect(truncateDiff(full, 8)).toEqual({ diff: '', truncated: true });
    expect(truncateDiff('\nline one\n', 1)).toEqual({ diff: '\n', truncated: true });
  });
});
