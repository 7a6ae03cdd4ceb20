import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ARGOCD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'argocd');

type Values = Record<string, unknown>;

const isObject = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where the override wins; arrays are replaced, as Helm does with values files. */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeValues(current, value) : value;
  }
  return out;
}

function readValuesFile(path: string): Values {
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (!isObject(parsed)) throw new Error(`${path}: Helm values must be a YAML mapping`);
  return parsed;
}

/**
 * Helm values for the argo-cd chart: argocd/values.yaml, overlaid by argocd/values-<env>.yaml when
 * that file exists (the same layering `helm -f values.yaml -f values-prod.yaml` applies).
 */
export function argoCdValues(environment: string, dir: string = ARGOCD_DIR): Values {
  const base = readValuesFile(join(dir, 'values.yaml'));
  const overlayPath = join(dir, `values-${environment}.yaml`);
  return existsSync(overlayPath) ? mergeValues(base, readValuesFile(overlayPath)) : base;
}
