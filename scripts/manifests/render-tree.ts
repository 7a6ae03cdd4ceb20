import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
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
  readonly webImage: string;
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
/** The flag each service's image is passed with, and where its environment's repository is configured. */
const IMAGE_FLAGS = { bankApi: '--image', bankWeb: '--web-image' } as const;

export function deployableImage(
  env: EnvironmentConfig,
  image: string,
  service: keyof typeof IMAGE_FLAGS = 'bankApi',
): string {
  const flag = IMAGE_FLAGS[service];
  let parsed: ReturnType<typeof parseImageReference>;
  try {
    parsed = parseImageReference(image);
  } catch (error) {
    throw new PublishInputError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed.digest === undefined) {
    throw new PublishInputError(
      `${flag} '${image}' must be pinned by digest (<repository>@sha256:<64 hex>): a tag can be moved after review`,
    );
  }
  const repository = env[service].imageRepository;
  if (parsed.repository !== repository) {
    throw new PublishInputError(
      `${flag} repository '${parsed.repository}' is not ${env.name}'s (${env.name}.${service}.imageRepository = '${repository}')`,
    );
  }
  return image;
}

/** File of bank-web's objects in an environment's workloads folder. */
export const WEB_MANIFEST = 'bank-web.k8s.yaml';

/**
 * The bank-web image a rendered bank-web file deploys (its Deployment's container), or undefined when
 * the file has none: what a publish without --web-image keeps.
 */
export function deployedWebImage(content: string): string | undefined {
  for (const doc of parseAllDocuments(content)) {
    const object = doc.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
    } | null;
    if (object?.kind !== 'Deployment') continue;
    const image = object.spec?.template?.spec?.containers?.[0]?.image;
    if (image !== undefined) return image;
  }
  return undefined;
}

/**
 * The environment's render with bank-api's `image` (a digest, checked by `deployableImage`) and
 * bank-web's `webImage`: a digest from --web-image (checked by the caller), the image the branch
 * already deploys, or, when neither, the configured tag.
 */
export function renderEnvironmentTree(
  env: EnvironmentConfig,
  image: string,
  webImage?: string,
): EnvironmentTree {
  const workloads = renderEnvironment(env, {
    image: deployableImage(env, image),
    ...(webImage === undefined ? {} : { webImage }),
  });
  const bootstrap = renderArgoCdBootstrap(env);
  const files = new Map<string, string>();
  for (const file of workloads.files) files.set(posix.join(workloadsPath(env), file.name), file.content);
  for (const file of bootstrap.files) files.set(posix.join(bootstrapPath(env), file.name), file.content);
  return {
    folders: [workloadsPath(env), bootstrapPath(env)],
    files,
    image: workloads.image,
    webImage: workloads.webImage,
  };
}
