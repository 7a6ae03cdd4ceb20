import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Helm values as the charts receive them: `values.yaml` of a folder, overlaid by
// `values-<environment>.yaml` when that file exists (the layering `helm -f values.yaml -f
// values-prod.yaml` applies). One implementation for every chart the platform installs with values
// kept in this folder: argo-cd (the CDK add-on) and kube-prometheus-stack (an Argo CD Application).

export type HelmValues = Record<string, unknown>;

const isMapping = (v: unknown): v is HelmValues => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where the override wins; arrays are replaced, as Helm does with values files. */
export function mergeValues(base: HelmValues, override: HelmValues): HelmValues {
  const out: HelmValues = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isMapping(current) && isMapping(value) ? mergeValues(current, value) : value;
  }
  return out;
}

function readValuesFile(path: string): HelmValues {
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed)) throw new Error(`${path}: Helm values must be a YAML mapping`);
  return parsed;
}

/** `dir`/values.yaml overlaid by `dir`/values-<environment>.yaml when it exists. */
export function layeredValues(dir: string, environment: string): HelmValues {
  const base = readValuesFile(join(dir, 'values.yaml'));
  const overlayPath = join(dir, `values-${environment}.yaml`);
  return existsSync(overlayPath) ? mergeValues(base, readValuesFile(overlayPath)) : base;
}

/** Helm values for the argo-cd chart: values.yaml and values-<environment>.yaml of this folder. */
export const argoCdValues = (environment: string, dir: string = import.meta.dirname): HelmValues =>
  layeredValues(dir, environment);
