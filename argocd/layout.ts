import { posix } from 'node:path';
import type { EnvironmentConfig } from '../platform/config/index.js';

// Where things live in the manifests tree (the `manifests/` folder of main and, identically, the
// `manifests` branch that Argo CD reads):
//
//   manifests/<env>/          the environment's workloads (charts/render.ts renderEnvironment)
//   manifests/argocd/<env>/   the Argo CD bootstrap of that environment's cluster: AppProjects and
//                             Applications; the root Application the CDK add-on creates points here

/** Folder (inside the manifests root) holding one bootstrap folder per environment. */
export const BOOTSTRAP_DIR = 'argocd';

export class ManifestLayoutError extends Error {
  constructor(env: string, field: string, message: string) {
    super(`Invalid environment config '${env}':\n  - ${env}.${field}: ${message}`);
    this.name = 'ManifestLayoutError';
  }
}

/**
 * The manifests root inside the branch (`manifests`), checked against the layout the renderer writes:
 * `gitops.path` must be `<root>/<env name>`, and no environment may be called like the bootstrap folder.
 */
export function manifestsRoot(env: EnvironmentConfig): string {
  if (env.name === BOOTSTRAP_DIR) {
    throw new ManifestLayoutError(
      env.name,
      'name',
      `'${BOOTSTRAP_DIR}' is reserved for the Argo CD bootstrap`,
    );
  }
  const path = posix.normalize(env.gitops.path);
  const root = posix.dirname(path);
  if (
    posix.basename(path) !== env.name ||
    root === '.' ||
    root.startsWith('..') ||
    path !== env.gitops.path
  ) {
    throw new ManifestLayoutError(
      env.name,
      'gitops.path',
      `must be <manifests root>/${env.name} (the renderer writes one folder per environment), got '${env.gitops.path}'`,
    );
  }
  return root;
}

/** Path of an environment's workloads in the manifests branch (= gitops.path, validated). */
export function workloadsPath(env: EnvironmentConfig): string {
  return posix.join(manifestsRoot(env), env.name);
}

/** Path of an environment's Argo CD bootstrap in the manifests branch: the root Application's source. */
export function bootstrapPath(env: EnvironmentConfig): string {
  return posix.join(manifestsRoot(env), BOOTSTRAP_DIR, env.name);
}
