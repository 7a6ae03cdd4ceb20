import type { ResolvedWebServiceProps } from './props.js';

export type Component = 'api' | 'migration' | 'metrics';

/** Recommended labels (app.kubernetes.io/*); selectors use only the stable name + component pair. */
export function selectorLabels(
  p: Pick<ResolvedWebServiceProps, 'name'>,
  component: Component,
): Record<string, string> {
  return { 'app.kubernetes.io/name': p.name, 'app.kubernetes.io/component': component };
}

export function commonLabels(p: Pick<ResolvedWebServiceProps, 'name' | 'partOf'>): Record<string, string> {
  return {
    'app.kubernetes.io/name': p.name,
    'app.kubernetes.io/part-of': p.partOf,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

export function componentLabels(p: Pick<ResolvedWebServiceProps, 'name' | 'partOf'>, component: Component) {
  return { ...commonLabels(p), 'app.kubernetes.io/component': component };
}
