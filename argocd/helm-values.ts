import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { loadEnvironment } from '../platform/config/index.js';

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

/**
 * Argo CD's `oidc.config` with the environment config's staff SSO issuer (staffSsoIssuer, derived from
 * the organisation's domain). The values files leave `issuer` out, so it is named in one place.
 */
export function withSsoIssuer(values: HelmValues, issuer: string): HelmValues {
  const configs = isMapping(values.configs) ? values.configs : {};
  const cm = isMapping(configs.cm) ? configs.cm : {};
  const oidc = cm['oidc.config'];
  if (typeof oidc !== 'string') throw new Error('argo-cd values: configs.cm."oidc.config" is missing');
  const document = parseDocument(oidc);
  if (document.has('issuer')) {
    throw new Error(
      'argo-cd values: oidc.config sets issuer; remove it, it comes from staffSsoIssuer in platform/config/environments.ts',
    );
  }
  document.set('issuer', issuer);
  return mergeValues(values, { configs: { cm: { 'oidc.config': document.toString() } } });
}

/**
 * Helm values for the argo-cd chart: values.yaml and values-<environment>.yaml of this folder, with
 * the staff SSO issuer from the environment config.
 */
export const argoCdValues = (environment: string, dir: string = import.meta.dirname): HelmValues =>
  withSsoIssuer(layeredValues(dir, environment), loadEnvironment(environment).staffSsoIssuer);
