import { parseAllDocuments } from 'yaml';
import { type RenderedEnvironment, renderEnvironment } from '../../charts/render.js';
import { type EnvironmentConfig, loadEnvironments } from '../../platform/config/index.js';

// Renders every environment once per test file and hands the parsed objects to the checks.

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML; each check narrows what it reads.
  readonly spec?: any;
  readonly [key: string]: unknown;
}

export interface RenderedObject {
  readonly env: EnvironmentConfig;
  readonly file: string;
  readonly object: ManifestObject;
}

export function parseManifests(content: string): ManifestObject[] {
  return parseAllDocuments(content).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS() as ManifestObject;
  });
}

export interface Rendering {
  readonly environments: EnvironmentConfig[];
  readonly renders: RenderedEnvironment[];
  readonly objects: RenderedObject[];
}

export function renderAll(): Rendering {
  const environments = loadEnvironments();
  const renders = environments.map((env) => renderEnvironment(env));
  const objects = renders.flatMap((render, i) => objectsOf(environments[i] as EnvironmentConfig, render));
  return { environments, renders, objects };
}

/**
 * One environment's objects, rendered when called. A suite that renders inside each test (instead of
 * once at import, as renderAll's users do) lets mutation testing run only the tests that reach a
 * mutant; a render at import counts for every test of the file.
 */
export function renderObjects(env: EnvironmentConfig): RenderedObject[] {
  return objectsOf(env, renderEnvironment(env));
}

function objectsOf(env: EnvironmentConfig, render: RenderedEnvironment): RenderedObject[] {
  return render.files.flatMap((file) =>
    parseManifests(file.content).map((object) => ({ env, file: file.name, object })),
  );
}

export const id = (o: RenderedObject): string =>
  `${o.env.name}: ${o.object.kind} ${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`;

export function ofKind(objects: readonly RenderedObject[], kind: string): RenderedObject[] {
  return objects.filter((o) => o.object.kind === kind);
}

/** Kinds that run a long-lived service's pods: a Deployment, or an Argo Rollouts Rollout (canary delivery). */
export const POD_CONTROLLER_KINDS = ['Deployment', 'Rollout'] as const;

/** The Deployments and Rollouts: what the service checks hold to the same standard. */
export function podControllers(objects: readonly RenderedObject[]): RenderedObject[] {
  return objects.filter((o) => (POD_CONTROLLER_KINDS as readonly string[]).includes(o.object.kind));
}

/**
 * The rows of an `it.each` over rendered objects, refusing an empty list: `it.each([])` registers no
 * test at all, so a render that lost every Ingress would otherwise leave its checks green.
 */
export function rowsOf<T>(items: readonly T[], what: string): readonly T[] {
  if (items.length === 0) throw new Error(`nothing to check: no ${what} rendered`);
  return items;
}

/** Pod templates of every workload kind we render. */
export function podTemplates(objects: readonly RenderedObject[]) {
  // biome-ignore lint/suspicious/noExplicitAny: see ManifestObject.spec.
  const out: { owner: RenderedObject; template: any }[] = [];
  for (const o of objects) {
    const spec = o.object.spec;
    if (['Deployment', 'Rollout', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(o.object.kind))
      out.push({ owner: o, template: spec.template });
    if (o.object.kind === 'CronJob') out.push({ owner: o, template: spec.jobTemplate.spec.template });
    if (o.object.kind === 'Pod') out.push({ owner: o, template: { metadata: o.object.metadata, spec } });
  }
  return out;
}
