import { posix } from 'node:path';
import { bootstrapPath, workloadsPath } from '../../argocd/layout.js';
import { parseImageReference } from '../../charts/lib/image.js';
import { renderArgoCdBootstrap, renderEnvironment } from '../../charts/render.js';
import type { EnvironmentConfig } from '../../platform/config/index.js';

// What one environment contributes to the manifests branch: its workloads folder and its Argo CD
// bootstrap folder, keyed by path inside the branch. Both folders are owned wholly by the render.

export interface EnvironmentTree {
  /** Folders this environment owns in the branch (replaced wholesale on publish). */
  readonly folders: readonly string[];
  /** File path inside the branch -> content. */
  readonly files: ReadonlyMap<string, string>;
  readonly image: string;
}

export class PublishInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishInputError';
  }
}

/**
 * A deployable image for `env`: pinned by digest (a tag can be moved, a digest cannot) and from the
 * environment's own registry repository (each environment pulls from its own account).
 */
export function deployableImage(env: EnvironmentConfig, image: string): string {
  let parsed: ReturnType<typeof parseImageReference>;
  try {
    parsed = parseImageReference(image);
  } catch (error) {
    throw new PublishInputError(`--image: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed.digest === undefined) {
    throw new PublishInputError(
      `--image '${image}' must be pinned by digest (<repository>@sha256:<64 hex>): a tag can be moved after review`,
    );
  }
  if (parsed.repository !== env.bankApi.imageRepository) {
    throw new PublishInputError(
      `--image repository '${parsed.repository}' is not ${env.name}'s (${env.name}.bankApi.imageRepository = '${env.bankApi.imageRepository}')`,
    );
  }
  return image;
}

export function renderEnvironmentTree(env: EnvironmentConfig, image: string): EnvironmentTree {
  const workloads = renderEnvironment(env, { image: deployableImage(env, image) });
  const bootstrap = renderArgoCdBootstrap(env);
  const files = new Map<string, string>();
  for (const file of workloads.files) files.set(posix.join(workloadsPath(env), file.name), file.content);
  for (const file of bootstrap.files) files.set(posix.join(bootstrapPath(env), file.name), file.content);
  return { folders: [workloadsPath(env), bootstrapPath(env)], files, image: workloads.image };
}
