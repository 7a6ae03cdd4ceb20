import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { MANIFESTS_DIR, REPO_ROOT } from './paths.js';

export { MANIFESTS_DIR };

/** One rendered Kubernetes object and the file it came from (for error messages). */
export interface RenderedObject {
  readonly source: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const hasYaml = (dir: string): boolean => readdirSync(dir).some((entry) => /\.ya?ml$/.test(entry));
const subdirs = (dir: string): string[] =>
  readdirSync(dir)
    .filter((entry) => statSync(join(dir, entry)).isDirectory())
    .sort();

// Layout (docs/gitops.md): manifests/<env>/ holds the workloads Argo CD's bank-<env> Application
// syncs, and a group folder such as manifests/argocd/<env>/ holds what else that environment's
// cluster gets (its Argo CD bootstrap). One cluster per environment, so an environment is the union.

/** Environments with rendered output: manifests/<env>/ with YAML, and <env> folders of group folders. */
export function renderedEnvironments(root = MANIFESTS_DIR): string[] {
  if (!existsSync(root)) return [];
  const envs = new Set<string>();
  for (const top of subdirs(root)) {
    if (hasYaml(join(root, top))) envs.add(top);
    else for (const env of subdirs(join(root, top))) if (hasYaml(join(root, top, env))) envs.add(env);
  }
  return [...envs].sort();
}

/** The folders an environment's cluster receives: manifests/<env>/ and manifests/<group>/<env>/. */
export function environmentDirs(env: string, root = MANIFESTS_DIR): string[] {
  if (!existsSync(root)) return [];
  const dirs: string[] = [];
  for (const top of subdirs(root)) {
    if (top === env && hasYaml(join(root, top))) dirs.push(join(root, top));
    else if (!hasYaml(join(root, top)) && existsSync(join(root, top, env))) dirs.push(join(root, top, env));
  }
  return dirs;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((entry) => /\.ya?ml$/.test(entry))
    .sort()
    .map((entry) => join(dir, entry));
}

/** Parses every document of an environment; a YAML error or an object without kind/name stops with the file named. */
export function loadEnvironment(env: string, root = MANIFESTS_DIR): RenderedObject[] {
  const dirs = environmentDirs(env, root);
  if (dirs.length === 0) {
    throw new ManifestError(`no rendered manifests for '${env}' in ${relative(REPO_ROOT, root) || root}`);
  }
  const objects: RenderedObject[] = [];
  for (const file of dirs.flatMap(yamlFiles)) {
    const source = relative(REPO_ROOT, file);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new ManifestError(`${source}: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as Partial<RenderedObject> | null;
      if (value === null || value === undefined) continue;
      if (!value.apiVersion || !value.kind || !value.metadata?.name) {
        throw new ManifestError(`${source}: a document lacks apiVersion, kind or metadata.name`);
      }
      objects.push({ ...value, source } as RenderedObject);
    }
  }
  return objects;
}

// kubectl applies in the order it reads; an object whose namespace or CRD does not exist yet fails.
// Argo CD orders by sync wave and kind; locally the same dependency order is enough.
// A PriorityClass goes with the namespaces: the API server refuses a pod naming a class that does not
// exist yet, so the controllers' first attempts would fail (Argo CD syncs it in the namespaces' wave).
const APPLY_RANK: Record<string, number> = { CustomResourceDefinition: 0, Namespace: 1, PriorityClass: 1 };

/**
 * Splits objects into apply phases: CRDs, then namespaces and PriorityClasses, then everything else,
 * each in file order.
 */
export function applyPhases(objects: readonly RenderedObject[]): RenderedObject[][] {
  const phases: RenderedObject[][] = [[], [], []];
  for (const object of objects) phases[APPLY_RANK[object.kind] ?? 2]?.push(object);
  return phases.filter((phase) => phase.length > 0);
}

/** The YAML stream kubectl reads from stdin for one phase; the `source` bookkeeping field is dropped. */
export function toYamlStream(objects: readonly RenderedObject[]): string {
  return objects
    .map(({ source: _source, ...object }) => `---\n${stringify(object, { lineWidth: 0 })}`)
    .join('');
}

export function objectsOfKind(objects: readonly RenderedObject[], kind: string): RenderedObject[] {
  return objects.filter((object) => object.kind === kind);
}

export function describeObject(object: RenderedObject): string {
  return `${object.kind} ${object.metadata.namespace ?? '(cluster)'}/${object.metadata.name} (${object.source})`;
}
