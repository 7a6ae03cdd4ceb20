import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argoCdValues, mergeValues } from '../../argocd/helm-values.js';
import { loadEnvironments } from '../../platform/config/index.js';
import { CHART_VERSIONS } from '../../platform/lib/cluster/versions.js';

// Helm ignores a values key the chart does not read, and Argo CD ignores a ConfigMap key it does not
// read: neither says so. This checks argocd/values*.yaml (and what the CDK add-on receives) against the
// pinned chart's key list and Argo CD's ConfigMap keys, kept as a reviewed fixture (see its header).

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARGOCD_DIR = join(ROOT, 'argocd');
const FIXTURE_FILE = `test/gitops/fixtures/argo-cd-chart-${CHART_VERSIONS.argoCd}.keys.yaml`;

type Values = Record<string, unknown>;

const isObject = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ConfigMapRules {
  readonly configMap: string;
  readonly source: string;
  readonly chartKeys: readonly string[];
  readonly keys: readonly string[];
  readonly patterns: readonly string[];
}

interface Fixture {
  readonly chart: { readonly name: string; readonly version: string };
  readonly chartKeys: readonly string[];
  readonly configMaps: Readonly<Record<string, ConfigMapRules>>;
}

const stringList = (v: unknown, what: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new Error(`${FIXTURE_FILE}: ${what} must be a list of strings`);
  }
  return v;
};

function loadFixture(): Fixture {
  const raw: unknown = parse(readFileSync(join(ROOT, FIXTURE_FILE), 'utf8'));
  if (!isObject(raw) || !isObject(raw.chart) || !isObject(raw.configMaps)) {
    throw new Error(`${FIXTURE_FILE}: expected chart, chartKeys and configMaps`);
  }
  const configMaps: Record<string, ConfigMapRules> = {};
  for (const [path, rules] of Object.entries(raw.configMaps)) {
    if (!isObject(rules) || typeof rules.configMap !== 'string' || typeof rules.source !== 'string') {
      throw new Error(`${FIXTURE_FILE}: configMaps.${path} needs configMap and source`);
    }
    configMaps[path] = {
      configMap: rules.configMap,
      source: rules.source,
      chartKeys: stringList(rules.chartKeys, `configMaps.${path}.chartKeys`),
      keys: stringList(rules.keys, `configMaps.${path}.keys`),
      patterns: stringList(rules.patterns, `configMaps.${path}.patterns`),
    };
  }
  return {
    chart: { name: String(raw.chart.name), version: String(raw.chart.version) },
    chartKeys: stringList(raw.chartKeys, 'chartKeys'),
    configMaps,
  };
}

/** The fixture's key list as lookups: fixed values, maps with fixed children, free-form maps. */
interface ChartSchema {
  readonly leaves: ReadonlySet<string>;
  readonly maps: ReadonlySet<string>;
  readonly freeForm: ReadonlySet<string>;
  readonly problems: readonly string[];
}

function chartSchema(chartKeys: readonly string[]): ChartSchema {
  const leaves = new Set<string>();
  const maps = new Set<string>();
  const freeForm = new Set<string>();
  const problems: string[] = [];
  for (const entry of chartKeys) {
    const path = entry.endsWith('.*') ? entry.slice(0, -2) : entry;
    if (path === '' || path.split('.').some((s) => s === '' || s === '*'))
      problems.push(`malformed: ${entry}`);
    if (leaves.has(path) || freeForm.has(path)) problems.push(`listed twice: ${entry}`);
    (entry.endsWith('.*') ? freeForm : leaves).add(path);
    const segments = path.split('.');
    for (let i = 1; i < segments.length; i++) maps.add(segments.slice(0, i).join('.'));
  }
  for (const path of maps) {
    if (leaves.has(path) || freeForm.has(path))
      problems.push(`both a value and a map with listed keys: ${path}`);
  }
  return { leaves, maps, freeForm, problems };
}

const patternRegExp = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split(/<[^>]+>/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  );

const showPath = (segments: readonly string[]): string =>
  segments.map((s) => (/^[\w-]+$/.test(s) ? s : JSON.stringify(s))).join('.');

const fixture = loadFixture();
const schema = chartSchema(fixture.chartKeys);
const chartName = `${fixture.chart.name} ${fixture.chart.version}`;

function configMapProblems(path: string, value: Values, file: string, segments: string[]): string[] {
  const rules = fixture.configMaps[path];
  if (!rules) return [];
  const patterns = rules.patterns.map(patternRegExp);
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (rules.chartKeys.includes(key) || rules.keys.includes(key) || patterns.some((re) => re.test(key)))
      continue;
    const home = Object.entries(fixture.configMaps).find(
      ([other, o]) =>
        other !== path && (o.keys.includes(key) || o.patterns.some((p) => patternRegExp(p).test(key))),
    );
    const hint = home ? `; Argo CD reads it from ${home[1].configMap}: set it under ${home[0]}` : '';
    problems.push(
      `${file}: ${showPath([...segments, key])}: not a key Argo CD reads from ${rules.configMap} (${rules.source})${hint}`,
    );
  }
  return problems;
}

/** Every key path in `values` the pinned chart (or Argo CD, for ConfigMap passthroughs) would ignore. */
function unknownKeys(values: unknown, file: string): string[] {
  if (!isObject(values)) return [`${file}: Helm values must be a YAML mapping`];
  const problems: string[] = [];
  const walk = (node: Values, segments: string[]): void => {
    for (const [key, value] of Object.entries(node)) {
      const at = [...segments, key];
      const path = at.join('.');
      // No fixed key of the chart contains a dot, so a dotted key can only sit in a free-form map.
      if (!key.includes('.') && schema.freeForm.has(path)) {
        if (isObject(value)) problems.push(...configMapProblems(path, value, file, at));
      } else if (!key.includes('.') && schema.maps.has(path)) {
        if (isObject(value)) walk(value, at);
        else if (value !== null)
          problems.push(`${file}: ${showPath(at)}: the ${chartName} chart expects a map here`);
      } else if (!key.includes('.') && schema.leaves.has(path)) {
        if (isObject(value))
          problems.push(`${file}: ${showPath(at)}: the ${chartName} chart expects a value, not a map`);
      } else {
        problems.push(`${file}: ${showPath(at)}: not a key of the ${chartName} chart; Helm ignores it`);
      }
    }
  };
  walk(values, []);
  return problems;
}

const valuesFiles = readdirSync(ARGOCD_DIR)
  .filter((f) => /^values(-[\w-]+)?\.yaml$/.test(f))
  .sort();
const readValues = (file: string): unknown => parse(readFileSync(join(ARGOCD_DIR, file), 'utf8')) ?? {};
const environments = loadEnvironments().map((env) => env.name);

describe('argo-cd chart key fixture', () => {
  it('exists for the pinned chart version and says so', () => {
    expect(existsSync(join(ROOT, FIXTURE_FILE)), FIXTURE_FILE).toBe(true);
    expect(fixture.chart).toEqual({ name: 'argo-cd', version: CHART_VERSIONS.argoCd });
  });

  it('is consistent: every path once, none both a value and a map', () => {
    expect(schema.problems).toEqual([]);
    expect(schema.leaves.size).toBeGreaterThan(500);
    for (const path of Object.keys(fixture.configMaps)) expect(schema.freeForm.has(path), path).toBe(true);
  });
});

describe('Argo CD Helm values use only keys the pinned chart reads', () => {
  it('finds the base values and its overlays', () => {
    expect(valuesFiles).toContain('values.yaml');
    for (const file of valuesFiles.filter((f) => f !== 'values.yaml')) {
      expect(environments, `argocd/${file} overlays no configured environment`).toContain(
        file.replace(/^values-|\.yaml$/g, ''),
      );
    }
  });

  it.each(valuesFiles)('argocd/%s', (file) => {
    expect(unknownKeys(readValues(file), `argocd/${file}`)).toEqual([]);
  });

  it.each(environments)('the merged values the CDK add-on receives for %s', (env) => {
    expect(unknownKeys(argoCdValues(env), `argoCdValues('${env}')`)).toEqual([]);
  });
});

describe('the check rejects what Helm and Argo CD silently ignore', () => {
  const base = readValues('values.yaml') as Values;
  const prod = readValues('values-prod.yaml') as Values;

  it('applicationSet.enabled (chart 10.x has no such switch; applicationSet.replicas: 0 is the way)', () => {
    expect(
      unknownKeys(mergeValues(base, { applicationSet: { enabled: false } }), 'argocd/values.yaml'),
    ).toEqual([
      `argocd/values.yaml: applicationSet.enabled: not a key of the ${chartName} chart; Helm ignores it`,
    ]);
    expect(unknownKeys({ applicationSet: { replicas: 0 } }, 'argocd/values.yaml')).toEqual([]);
  });

  it('timeout.reconciliation under configs.params (argocd-cmd-params-cm), and accepts it under configs.cm', () => {
    const misplaced = { configs: { params: { 'server.insecure': true, 'timeout.reconciliation': '180s' } } };
    const [problem, ...rest] = unknownKeys(misplaced, 'argocd/values.yaml');
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^argocd\/values\.yaml: configs\.params\."timeout\.reconciliation": not a key Argo CD reads from argocd-cmd-params-cm /,
    );
    expect(problem).toMatch(/; Argo CD reads it from argocd-cm: set it under configs\.cm$/);
    expect(
      unknownKeys({ configs: { cm: { 'timeout.reconciliation': '180s' } } }, 'argocd/values.yaml'),
    ).toEqual([]);
  });

  it('a typo in a top-level key', () => {
    expect(unknownKeys(mergeValues(base, { sever: { replicas: 2 } }), 'argocd/values.yaml')).toEqual([
      `argocd/values.yaml: sever: not a key of the ${chartName} chart; Helm ignores it`,
    ]);
  });

  it('a key added to values-prod.yaml that the chart lacks, in the file and in the merged values', () => {
    const overlay = mergeValues(prod, { controller: { replicaCount: 3 } });
    expect(unknownKeys(overlay, 'argocd/values-prod.yaml')).toEqual([
      `argocd/values-prod.yaml: controller.replicaCount: not a key of the ${chartName} chart; Helm ignores it`,
    ]);
    expect(unknownKeys(mergeValues(base, overlay), "argoCdValues('prod')")).toEqual([
      `argoCdValues('prod'): controller.replicaCount: not a key of the ${chartName} chart; Helm ignores it`,
    ]);
  });

  it('a map where the chart has a value, and a value where it has a map', () => {
    expect(
      unknownKeys({ server: { replicas: { min: 2 }, metrics: true } }, 'argocd/values-prod.yaml'),
    ).toEqual([
      `argocd/values-prod.yaml: server.replicas: the ${chartName} chart expects a value, not a map`,
      `argocd/values-prod.yaml: server.metrics: the ${chartName} chart expects a map here`,
    ]);
  });

  it('lets free-form maps hold any child, but notification entries need their ConfigMap prefix', () => {
    const free = {
      global: { securityContext: { fsGroup: 999, anything: { nested: true } } },
      server: { resources: { requests: { cpu: '1' } }, podAnnotations: { 'example.com/x': 'y' } },
      configs: {
        cm: { 'resource.customizations.health.apps_Deployment': 'return {}', 'accounts.ci': 'apiKey' },
      },
    };
    expect(unknownKeys(free, 'argocd/values.yaml')).toEqual([]);
    const [problem, ...rest] = unknownKeys({ notifications: { notifiers: { webhook: 'url: x' } } }, 'f.yaml');
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^f\.yaml: notifications\.notifiers\.webhook: not a key Argo CD reads from argocd-notifications-cm/,
    );
  });
});

// Run with ARGOCD_CHART_VALUES=<the chart's values.yaml> (see the fixture's header) to compare the
// fixture with a chart release; skipped otherwise, since the chart cannot be fetched offline.
const chartValuesFile = process.env.ARGOCD_CHART_VALUES;
describe.skipIf(!chartValuesFile)('the fixture matches the chart values in $ARGOCD_CHART_VALUES', () => {
  it('lists exactly the chart values.yaml key paths', () => {
    const chartValues: unknown = parse(readFileSync(chartValuesFile ?? '', 'utf8'));
    const found = new Set<string>();
    const walk = (node: Values, prefix: string): void => {
      for (const [key, value] of Object.entries(node)) {
        const path = prefix ? `${prefix}.${key}` : key;
        const freeForm = schema.freeForm.has(path) || (isObject(value) && Object.keys(value).length === 0);
        if (freeForm) found.add(`${path}.*`);
        else if (isObject(value)) walk(value, path);
        else found.add(path);
      }
    };
    if (isObject(chartValues)) walk(chartValues, '');
    const listed = new Set(fixture.chartKeys);
    expect({
      missingFromFixture: [...found].filter((k) => !listed.has(k)).sort(),
      notInChart: [...listed].filter((k) => !found.has(k)).sort(),
    }).toEqual({ missingFromFixture: [], notInChart: [] });
  });
});
