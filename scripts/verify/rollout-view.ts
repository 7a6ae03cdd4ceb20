import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

// kube-score knows Deployments, not Argo Rollouts: a Rollout's pod template would go unscored, and
// every Service, NetworkPolicy, PDB and HPA selecting its pods would be reported as matching nothing.
// For scoring only, each Rollout is shown to the scanner as the Deployment it replaces: same metadata,
// selector and pod template, its canary surge as a rolling update, and the HPA aimed at it. The
// manifests themselves are untouched.

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped.
type Any = any;

function asDeployment(rollout: Any): Any {
  const canary = rollout.spec?.strategy?.canary ?? {};
  const { strategy: _strategy, ...spec } = rollout.spec ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: rollout.metadata,
    spec: {
      ...spec,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: canary.maxSurge ?? 1, maxUnavailable: canary.maxUnavailable ?? 0 },
      },
    },
  };
}

/** The file's documents with each Rollout as a Deployment; undefined when it holds no Rollout. */
export function deploymentView(text: string): string | undefined {
  const docs = parseAllDocuments(text)
    .map((d) => d.toJS() as Any)
    .filter(Boolean);
  if (!docs.some((d) => d.kind === 'Rollout')) return undefined;
  // An ALB-routed canary's Ingress forwards by annotation (`use-annotation`) to the stable and canary
  // Services; the view routes it to the stable one, where all traffic goes outside a release.
  const albRoutes = new Map<string, Any>(
    docs
      .filter((d) => d.kind === 'Rollout' && d.spec?.strategy?.canary?.trafficRouting?.alb)
      .map((d) => [d.spec.strategy.canary.trafficRouting.alb.ingress, d.spec.strategy.canary]),
  );
  const viaStable = (ingress: Any): Any => {
    const canary = albRoutes.get(ingress.metadata?.name);
    if (!canary) return ingress;
    const view = structuredClone(ingress);
    for (const rule of view.spec?.rules ?? [])
      for (const path of rule.http?.paths ?? [])
        if (path.backend?.service?.port?.name === 'use-annotation')
          path.backend.service = {
            name: canary.stableService,
            port: { number: canary.trafficRouting.alb.servicePort },
          };
    return view;
  };
  return docs
    .map((d) => {
      if (d.kind === 'Rollout') return asDeployment(d);
      if (d.kind === 'Ingress') return viaStable(d);
      if (d.kind === 'HorizontalPodAutoscaler' && d.spec?.scaleTargetRef?.kind === 'Rollout')
        return {
          ...d,
          spec: {
            ...d.spec,
            scaleTargetRef: { ...d.spec.scaleTargetRef, apiVersion: 'apps/v1', kind: 'Deployment' },
          },
        };
      return d;
    })
    .map((d) => stringify(d))
    .join('---\n');
}

/**
 * Paths to hand the scanner (relative to `root`, as given): a file with Rollouts is replaced by its
 * view, mirrored under `viewDir` (relative to `root`).
 */
export function withDeploymentViews(root: string, files: readonly string[], viewDir: string): string[] {
  return files.map((file) => {
    const absolute = isAbsolute(file) ? file : join(root, file);
    const view = deploymentView(readFileSync(absolute, 'utf8'));
    if (view === undefined) return file;
    const target = join(viewDir, relative(root, absolute));
    mkdirSync(dirname(join(root, target)), { recursive: true });
    writeFileSync(join(root, target), view);
    return target;
  });
}
